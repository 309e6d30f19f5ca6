package org.phrcloud.research.anonymization;

import java.util.List;

/**
 * A microdata table: named columns and rows of text values (one record per row). Immutable.
 *
 * @param columns column names, unique
 * @param rows    rows, each with one value per column
 */
public record Table(List<String> columns, List<List<String>> rows) {
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("PHR-RESEARCH-0001: a row has " + row.size() + " values for "
                        + columns.size() + " columns");
            }
        }
        if (columns.stream().distinct().count() != columns.size()) {
            throw new IllegalArgumentException("PHR-RESEARCH-0002: column names repeat");
        }
    }

    /** @throws IllegalArgumentException for an unknown column */
    public int index(String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("PHR-RESEARCH-0003: no column " + column);
        }
        return i;
    }

    public int[] indexes(List<String> names) {
        return names.stream().mapToInt(this::index).toArray();
    }

    public int size() {
        return rows.size();
    }
}
