package org.phrcloud.research.anonymization.release;

import org.phrcloud.research.anonymization.EquivalenceClasses;
import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a release on its own: it recomputes the equivalence classes from the released table alone (not
 * from anything the anonymizer reports) and tests every privacy model on every class. A release that
 * fails is never written (research issue).
 */
public final class ReleaseChecker {
    /**
     * @param passed     true when every class satisfies every model
     * @param violations one line per failing class and model (class size and model name, no values)
     */
    public record Result(boolean passed, List<String> violations) {
    }

    private ReleaseChecker() {
    }

    public static Result check(Table release, List<String> quasiIdentifiers, List<PrivacyModel> models) {
        List<String> violations = new ArrayList<>();
        List<List<List<String>>> classes = EquivalenceClasses.of(release.rows(), release.indexes(quasiIdentifiers));
        for (int c = 0; c < classes.size(); c++) {
            for (PrivacyModel model : models) {
                if (!model.isSatisfiedBy(release.columns(), classes.get(c))) {
                    violations.add("class " + c + " (" + classes.get(c).size() + " records) breaks " + model.name());
                }
            }
        }
        return new Result(violations.isEmpty(), violations);
    }
}
