// Package auth signs people in with OpenID Connect, keeps their sessions,
// and turns what the provider says about them (groups, how they signed in,
// where they are) into the viewer that the access rule judges.
package auth

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// RoleMapping turns provider claims into Torg roles.
type RoleMapping struct {
	// Claim is the path of the claim that lists groups or roles:
	// "groups", "roles", or nested like "realm_access.roles".
	Claim string
	// Map turns a provider value (a group name, or an object ID as Microsoft
	// Entra ID sends) into a Torg role. Values not in the map are dropped.
	Map map[string]string
	// Default roles every signed-in person gets.
	Default []string
	// PassThrough keeps provider values that are already Torg role names.
	PassThrough bool
}

// KnownRoles are the roles Torg itself gives meaning to; others are free-form.
var KnownRoles = []string{"substitute", "employee", "manager", "communicator", "publisher", "admin"}

// Roles returns the Torg roles for a set of claims, sorted, and whether the
// provider said the person has more groups than the token carries (Entra
// ID's group overage), in which case the roles may be incomplete.
func (m RoleMapping) Roles(claims map[string]any) (roles []string, overage bool) {
	set := map[string]bool{}
	for _, r := range m.Default {
		set[r] = true
	}
	for _, v := range claimStrings(claims, m.Claim) {
		if r, ok := m.Map[v]; ok {
			set[r] = true
		} else if m.PassThrough && slices.Contains(KnownRoles, v) {
			set[v] = true
		}
	}
	// Entra ID leaves the groups out and points to Graph instead when a
	// person is in too many groups.
	if names, ok := claims["_claim_names"].(map[string]any); ok && names["groups"] != nil {
		overage = true
	}
	if v, ok := claims["hasgroups"]; ok && v == true {
		overage = true
	}
	for r := range set {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	return roles, overage
}

// HasClaim reports whether the claims hold the mapping's claim at all.
func (m RoleMapping) HasClaim(claims map[string]any) bool {
	_, ok := lookup(claims, m.Claim)
	return ok
}

// claimStrings reads a claim that is a string, a list of strings, or a
// space-separated string, at a dotted path.
func claimStrings(claims map[string]any, path string) []string {
	v, ok := lookup(claims, path)
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

func lookup(claims map[string]any, path string) (any, bool) {
	if path == "" {
		return nil, false
	}
	if v, ok := claims[path]; ok { // a claim whose name holds dots, like a URI
		return v, true
	}
	var cur any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// LevelMapping turns how a person signed in (the acr and amr claims) into
// one of the ordered sign-in levels.
type LevelMapping struct {
	// Levels, weakest first: for example password, otp, eid.
	Levels []string
	// ACR maps acr values to levels; AMR maps amr values. The strongest
	// level any of them gives wins.
	ACR map[string]string
	AMR map[string]string
}

// Level returns the sign-in level for acr and amr; the weakest level when
// nothing matches.
func (m LevelMapping) Level(acr string, amr []string) string {
	best := -1
	consider := func(level string) {
		best = max(best, slices.Index(m.Levels, level))
	}
	if l, ok := m.ACR[acr]; ok {
		consider(l)
	}
	for _, a := range amr {
		if l, ok := m.AMR[a]; ok {
			consider(l)
		}
	}
	if best < 0 {
		if len(m.Levels) == 0 {
			return ""
		}
		return m.Levels[0]
	}
	return m.Levels[best]
}

// ACRsFrom returns the acr values to ask the provider for, for a sign-in
// at level or stronger: those the mapping gives level, then those of each
// stronger level. For "" it returns every mapped acr value, weakest level
// first, so that a plain sign-in tells the provider what Torg understands.
func (m LevelMapping) ACRsFrom(level string) []string {
	from := 0
	if level != "" {
		from = slices.Index(m.Levels, level)
		if from < 0 {
			return nil
		}
	}
	var out []string
	for _, l := range m.Levels[from:] {
		var keys []string
		for acr, to := range m.ACR {
			if to == l {
				keys = append(keys, acr)
			}
		}
		sort.Strings(keys)
		out = append(out, keys...)
	}
	return out
}

// Below reports whether level is weaker than want.
func (m LevelMapping) Below(level, want string) bool {
	return slices.Index(m.Levels, level) < slices.Index(m.Levels, want)
}

// ClaimsRequest is the OpenID Connect claims request parameter that asks
// for what the mapping reads (acr, with the values wanted, and amr) in the
// ID token as essential claims; "" when the mapping reads neither.
func (m LevelMapping) ClaimsRequest(acrValues []string) string {
	idToken := map[string]any{}
	if len(m.ACR) > 0 {
		acr := map[string]any{"essential": true}
		if len(acrValues) > 0 {
			acr["values"] = acrValues
		}
		idToken["acr"] = acr
	}
	if len(m.AMR) > 0 {
		idToken["amr"] = map[string]any{"essential": true}
	}
	if len(idToken) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]any{"id_token": idToken})
	return string(b)
}

// ParseMap reads "a=b, c=d" (or with ; or newlines between pairs) into a map.
func ParseMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		// An acr value can itself hold "=", so the last "=" separates.
		if i := strings.LastIndex(part, "="); ok && i > 0 {
			k, v = part[:i], part[i+1:]
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%q is not name=value", part)
		}
		out[k] = v
	}
	return out, nil
}

// ParseLevelMap reads "acr:VALUE=level, amr:VALUE=level" into a LevelMapping's maps.
func ParseLevelMap(s string, levels []string) (acr, amr map[string]string, err error) {
	m, err := ParseMap(s)
	if err != nil {
		return nil, nil, err
	}
	acr, amr = map[string]string{}, map[string]string{}
	for k, level := range m {
		if !slices.Contains(levels, level) {
			return nil, nil, fmt.Errorf("%s=%s: unknown level %q; levels are %s", k, level, level, strings.Join(levels, ", "))
		}
		switch {
		case strings.HasPrefix(k, "acr:"):
			acr[strings.TrimPrefix(k, "acr:")] = level
		case strings.HasPrefix(k, "amr:"):
			amr[strings.TrimPrefix(k, "amr:")] = level
		default:
			return nil, nil, fmt.Errorf("%s: write acr:VALUE=level or amr:VALUE=level", k)
		}
	}
	return acr, amr, nil
}
