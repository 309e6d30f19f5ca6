package org.phrcloud.research.anonymization.privacy;

import java.util.List;

/** Every equivalence class has at least k records (Sweeney 2002, definition 5). */
public record KAnonymity(int k) implements PrivacyModel {
    public KAnonymity {
        if (k < 1) {
            throw new IllegalArgumentException("PHR-RESEARCH-0201: k >= 1");
        }
    }

    @Override
    public boolean isSatisfiedBy(List<String> columns, List<List<String>> equivalenceClass) {
        return equivalenceClass.size() >= k;
    }

    @Override
    public String name() {
        return k + "-anonymity";
    }

    /** A class with a part of at least k records has at least k records. */
    @Override
    public boolean monotoneWithSuppression() {
        return true;
    }
}
