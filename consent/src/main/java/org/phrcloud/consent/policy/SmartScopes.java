package org.phrcloud.consent.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SMART App Launch resource scopes of an access token (HL7 SMART App Launch IG 2.x, section "Scopes and Launch
 * Context": {@code <context>/<resource type>.<permissions>[?<param>=<value>&...]}), which only narrow what the
 * platform's own rules allow (role, {@code acr}, compartment, consent and its level, emergency access; see
 * {@link FhirAccessPolicy}, {@link CompartmentAuthorizationInterceptor}), never widen it.
 * <ul>
 *   <li>context {@code patient}, {@code user} or {@code system}; whose records a caller reaches is decided by the
 *       platform's rules (a patient their own, a care giver their patients and consents, an institution system its
 *       institution's), so the three narrow alike here;</li>
 *   <li>resource type: a FHIR type or {@code *};</li>
 *   <li>permissions, v2: a non-empty subsequence of {@code cruds} (create, read, update, delete, search); v1:
 *       {@code read} (= {@code rs}), {@code write} (= {@code cud}) and {@code *} (= {@code cruds});</li>
 *   <li>restrictions (v2 only, e.g. {@code patient/Observation.rs?category=laboratory}): such a scope permits only a
 *       search that carries every restriction as a parameter with that value; never a read by id or a write (the
 *       conservative reading of "the server limits to resources matching the parameters").</li>
 * </ul>
 * Other scopes ({@code openid}, {@code fhirUser}, {@code launch/patient}, {@code offline_access}, {@code profile},
 * ...) are not resource scopes and are ignored here. A token without any resource scope is not narrowed (a first-party
 * client of this deployment: the portal, an institution system); see {@link #narrows()}.
 */
public final class SmartScopes {
    /** The SMART v2 permissions, in the order a scope spells them. */
    public enum Permission {
        CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

        private final char letter;

        Permission(char letter) {
            this.letter = letter;
        }

        /** The permission's letter in a v2 scope. */
        public char letter() {
            return letter;
        }
    }

    /**
     * One resource scope.
     *
     * @param context      {@code patient}, {@code user} or {@code system}
     * @param resourceType a FHIR resource type, or {@code *}
     * @param permissions  what it permits on that type
     * @param restrictions search parameters and values a search must carry (v2 {@code ?param=value}); empty for none
     */
    public record Scope(String context, String resourceType, Set<Permission> permissions, Map<String, String> restrictions) {
    }

    private static final Pattern RESOURCE_SCOPE = Pattern.compile(
            "(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.(read|write|\\*|c?r?u?d?s?)(?:\\?(.+))?");

    private final List<Scope> scopes;

    private SmartScopes(List<Scope> scopes) {
        this.scopes = List.copyOf(scopes);
    }

    /**
     * The resource scopes of a {@code scope} claim (space-separated, RFC 6749 section 3.3). A resource scope that is
     * malformed (an empty v2 permission, permissions out of order, restrictions on a v1 scope or without a value)
     * grants nothing.
     */
    public static SmartScopes parse(String scopeClaim) {
        List<Scope> found = new ArrayList<>();
        boolean resourceScopes = false;
        for (String token : scopeClaim == null ? new String[0] : scopeClaim.trim().split("\\s+")) {
            if (token.startsWith("patient/") || token.startsWith("user/") || token.startsWith("system/")) {
                resourceScopes = true;
                parseOne(token).ifPresent(found::add);
            }
        }
        return new SmartScopes(resourceScopes && found.isEmpty() ? List.of(NOTHING) : found);
    }

    /** Stands for resource scopes none of which is valid: they narrow to nothing. */
    private static final Scope NOTHING = new Scope("none", "", Set.of(), Map.of());

    private static java.util.Optional<Scope> parseOne(String token) {
        Matcher m = RESOURCE_SCOPE.matcher(token);
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        String spelled = m.group(3);
        Set<Permission> permissions = EnumSet.noneOf(Permission.class);
        boolean v1 = spelled.equals("read") || spelled.equals("write") || spelled.equals("*");
        switch (spelled) {
            case "read" -> permissions.addAll(List.of(Permission.READ, Permission.SEARCH));
            case "write" -> permissions.addAll(List.of(Permission.CREATE, Permission.UPDATE, Permission.DELETE));
            case "*" -> permissions.addAll(EnumSet.allOf(Permission.class));
            default -> {
                for (Permission p : Permission.values()) {
                    if (spelled.indexOf(p.letter()) >= 0) {
                        permissions.add(p);
                    }
                }
            }
        }
        if (permissions.isEmpty()) {
            return java.util.Optional.empty();
        }
        Map<String, String> restrictions = new LinkedHashMap<>();
        if (m.group(4) != null) {
            if (v1) {
                return java.util.Optional.empty();
            }
            for (String pair : m.group(4).split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    return java.util.Optional.empty();
                }
                restrictions.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return java.util.Optional.of(new Scope(m.group(1), m.group(2), Collections.unmodifiableSet(permissions),
                Collections.unmodifiableMap(restrictions)));
    }

    /** Whether the token carries resource scopes at all: only then does it narrow what the caller may do. */
    public boolean narrows() {
        return !scopes.isEmpty();
    }

    /** The valid resource scopes, in the order the token lists them. */
    public List<Scope> scopes() {
        return scopes.stream().filter(s -> s != NOTHING).toList();
    }

    /**
     * Whether the scopes permit {@code permission} on {@code resourceType}; always true for a token that does not narrow.
     *
     * @param parameters the request's parameters (name to values), for scopes with restrictions; a restricted scope
     *                   permits only {@link Permission#SEARCH} carrying each restriction with that value
     */
    public boolean permits(String resourceType, Permission permission, Map<String, String[]> parameters) {
        if (!narrows()) {
            return true;
        }
        for (Scope scope : scopes) {
            if (!scope.permissions().contains(permission)
                    || !(scope.resourceType().equals("*") || scope.resourceType().equals(resourceType))) {
                continue;
            }
            if (scope.restrictions().isEmpty()) {
                return true;
            }
            if (permission == Permission.SEARCH && parameters != null && scope.restrictions().entrySet().stream()
                    .allMatch(r -> parameters.containsKey(r.getKey()) && List.of(parameters.get(r.getKey())).contains(r.getValue()))) {
                return true;
            }
        }
        return false;
    }
}
