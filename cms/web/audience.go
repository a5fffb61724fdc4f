package web

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/i18n"
)

// SeenBy says in plain words who may read an item with rule r: "Alla
// inloggade", "Timvikarier och chefer", "Alla inloggade, kräver
// e-legitimation, bara på kontorsnätet".
func SeenBy(cat *i18n.Catalog, lang string, r access.Rule) string {
	name := label(cat)
	var who string
	switch {
	case r.IsPublic():
		who = name(lang, "role.", access.Public)
	case len(r.Audience) == 0:
		who = cat.T(lang, "seen.signed_in")
	default:
		roles := make([]string, len(r.Audience))
		for i, role := range r.Audience {
			roles[i] = name(lang, "role.", role)
			if i > 0 {
				roles[i] = lowerFirst(roles[i])
			}
		}
		who = joinAnd(cat, lang, roles)
	}
	parts := []string{who}
	if r.MinAuth != "" {
		parts = append(parts, cat.T(lang, "seen.level", name(lang, "level.", r.MinAuth)))
	}
	if len(r.Zones) > 0 {
		zones := make([]string, len(r.Zones))
		for i, z := range r.Zones {
			zones[i] = name(lang, "zone.", z)
		}
		parts = append(parts, cat.T(lang, "seen.zones", joinAnd(cat, lang, zones)))
	}
	return strings.Join(parts, ", ")
}

// joinAnd lists words as "a, b och c".
func joinAnd(cat *i18n.Catalog, lang string, words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + cat.T(lang, "seen.and") + " " + words[len(words)-1]
}

// lowerFirst lowers a capital that only starts a sentence, leaving
// abbreviations such as "IT-administratörer" as they are.
func lowerFirst(s string) string {
	first, n := utf8.DecodeRuneInString(s)
	second, _ := utf8.DecodeRuneInString(s[n:])
	if !unicode.IsUpper(first) || unicode.IsUpper(second) {
		return s
	}
	return string(unicode.ToLower(first)) + s[n:]
}

// ruleOf is the access rule an item with these fields has on this site:
// its own audience, sign-in level and zones, else its section's.
func (s *Server) ruleOf(f EditorForm) access.Rule {
	if f.Slug == "" {
		f.Slug = "new"
	}
	ci, _ := content.ParseFile(f.Path(s.DefaultLang), []byte(f.Markdown()), content.Options{DefaultLang: s.DefaultLang, Location: s.location(), Levels: s.Levels})
	if ci == nil {
		return access.Rule{Audience: f.Audience, MinAuth: f.MinAuth}
	}
	// Only a folder inside the site has sections to inherit from.
	inside := ci.Dir == "" || (path.Clean(ci.Dir) == ci.Dir && !path.IsAbs(ci.Dir) && ci.Dir != ".." && !strings.HasPrefix(ci.Dir, "../"))
	if st := s.Sites.Current(); st != nil && inside {
		st.Inherit(ci)
	}
	return ci.Access
}
