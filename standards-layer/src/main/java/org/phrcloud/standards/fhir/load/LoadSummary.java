package org.phrcloud.standards.fhir.load;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a load did.
 *
 * @param bundles         transaction Bundles sent
 * @param patients        Patient resources among the entries
 * @param resourcesByType entries per resource type
 * @param created         entries the server created (201)
 * @param unchanged       entries that already existed (200: same id; HAPI keeps the version when nothing changed)
 * @param millis          wall time of the load in milliseconds
 */
public record LoadSummary(int bundles, int patients, Map<String, Integer> resourcesByType, int created,
                          int unchanged, long millis) {
    public LoadSummary {
        resourcesByType = new TreeMap<>(resourcesByType);
    }

    public int resources() {
        return resourcesByType.values().stream().mapToInt(Integer::intValue).sum();
    }
}
