// Package i18n holds the user-interface strings of the theme in Swedish,
// Norwegian bokmål and nynorsk, and English, and picks the language a
// reader gets.
package i18n

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Languages are the UI languages, in the order a language menu shows them.
var Languages = []string{"sv", "nb", "nn", "en"}

// Catalog is the set of UI strings, per language.
type Catalog struct {
	msgs    map[string]map[string]string
	matcher language.Matcher
	def     string
}

// Load reads DIR/LANG.yaml for every language from fsys. Every language must
// have every key that any language has.
func Load(fsys fs.FS, dir, defaultLang string) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}, def: defaultLang}
	for _, l := range Languages {
		name := dir + "/" + l + ".yaml"
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("messages %s: %w", name, err)
		}
		c.msgs[l] = m
	}
	if missing := c.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("messages: missing translations: %s", strings.Join(missing, "; "))
	}
	tags := []language.Tag{}
	// The default language first: it is what the matcher falls back to.
	order := append([]string{defaultLang}, Languages...)
	seen := map[string]bool{}
	for _, l := range order {
		if !seen[l] {
			seen[l] = true
			tags = append(tags, language.MustParse(l))
		}
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Missing lists "lang: key" for every key some language lacks.
func (c *Catalog) Missing() []string {
	keys := map[string]bool{}
	for _, m := range c.msgs {
		for k := range m {
			keys[k] = true
		}
	}
	var out []string
	for _, l := range Languages {
		for k := range keys {
			if strings.TrimSpace(c.msgs[l][k]) == "" {
				out = append(out, l+": "+k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// T returns the string for key in lang, formatted with args. A missing key
// shows as the key itself, so it is seen and fixed rather than hidden.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[c.def]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Supported reports whether lang is a UI language.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Match picks the UI language for an Accept-Language header.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return c.def
	}
	// "no" (Norwegian) is served as bokmål.
	for i, t := range tags {
		if b, _ := t.Base(); b.String() == "no" {
			tags[i] = language.MustParse("nb")
		}
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.def
	}
	order := append([]string{c.def}, Languages...)
	var uniq []string
	for _, l := range order {
		if !slices.Contains(uniq, l) {
			uniq = append(uniq, l)
		}
	}
	return uniq[idx]
}

// Weekday is the name of a weekday in lang.
func (c *Catalog) Weekday(lang string, d time.Weekday) string {
	return c.T(lang, fmt.Sprintf("weekday.%d", int(d)))
}

// Date formats a day as "23 november 2026" (English: "23 November 2026").
func (c *Catalog) Date(lang string, t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), c.T(lang, fmt.Sprintf("month.%d", int(t.Month()))), t.Year())
}

// Clock formats a time of day the Nordic way: 08:00.
func Clock(t time.Time) string { return t.Format("15:04") }

// When names a coming moment relative to now in lang: "13:00",
// "i morgon 08:00", "måndag 08:00", or "7 januari 08:00".
func (c *Catalog) When(lang string, t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	clock := Clock(t)
	// Count calendar days on a zone-free calendar, so a DST night is still one day.
	y, m, d := now.Date()
	ty, tm, td := t.Date()
	days := int(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days <= 0:
		return c.T(lang, "when.today", clock)
	case days == 1:
		return c.T(lang, "when.tomorrow", clock)
	case days < 7:
		return c.T(lang, "when.weekday", c.Weekday(lang, t.Weekday()), clock)
	default:
		return c.T(lang, "when.date", c.Date(lang, t), clock)
	}
}
