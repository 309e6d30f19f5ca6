package org.phrcloud.portal.api;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON (JSON-P) as plain Java values for the pages' expressions: objects as maps, arrays as lists, strings, numbers. */
public final class Plain {
    private Plain() {
    }

    public static Object of(JsonValue v) {
        if (v == null) {
            return null;
        }
        return switch (v.getValueType()) {
            case OBJECT -> map((JsonObject) v);
            case ARRAY -> list((JsonArray) v);
            case STRING -> ((JsonString) v).getString();
            case NUMBER -> ((JsonNumber) v).isIntegral() ? (Object) ((JsonNumber) v).longValue() : ((JsonNumber) v).doubleValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> null;
        };
    }

    public static Map<String, Object> map(JsonObject o) {
        Map<String, Object> out = new LinkedHashMap<>();
        o.forEach((k, v) -> out.put(k, of(v)));
        return out;
    }

    public static List<Object> list(JsonArray a) {
        List<Object> out = new ArrayList<>();
        a.forEach(v -> out.add(of(v)));
        return out;
    }

    /** @return the array's objects as maps */
    public static List<Map<String, Object>> objects(JsonArray a) {
        List<Map<String, Object>> out = new ArrayList<>();
        a.forEach(v -> out.add(map(v.asJsonObject())));
        return out;
    }
}
