// Package tiles is the link hub: shortcuts to the systems staff use, each
// shown only to the roles, sign-in levels, network zones and service hours
// it is meant for, with favourites, disruption notices and health checks.
package tiles

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/hours"
)

// Text is a string in several languages: {sv: …, en: …}.
type Text map[string]string

// In returns the text in lang, else in fallback, else any.
func (t Text) In(lang, fallback string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t[fallback]; s != "" {
		return s
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Tile is one shortcut.
type Tile struct {
	ID          string      `yaml:"id" json:"id"`
	Title       Text        `yaml:"title" json:"title"`
	Description Text        `yaml:"description,omitempty" json:"description,omitempty"`
	URL         string      `yaml:"url" json:"url"`
	Icon        string      `yaml:"icon,omitempty" json:"icon,omitempty"`
	Category    string      `yaml:"category" json:"category"`
	Order       int         `yaml:"order,omitempty" json:"order"`
	Audience    []string    `yaml:"audience,omitempty" json:"audience"`
	MinAuth     string      `yaml:"min_auth,omitempty" json:"min_auth,omitempty"`
	TooWeak     string      `yaml:"too_weak,omitempty" json:"too_weak,omitempty"` // "lock" (default) or "hide"
	Zones       []string    `yaml:"zones,omitempty" json:"zones"`
	Hours       *hours.Spec `yaml:"hours,omitempty" json:"hours,omitempty"`
	NewTab      bool        `yaml:"new_tab,omitempty" json:"new_tab"`
	Keywords    []string    `yaml:"keywords,omitempty" json:"keywords"`
	HealthURL   string      `yaml:"health_url,omitempty" json:"health_url,omitempty"`

	schedule *hours.Schedule
}

// Rule is the tile's part of the access rule.
func (t *Tile) Rule() access.Rule {
	return access.Rule{Audience: t.Audience, MinAuth: t.MinAuth, Zones: t.Zones}
}

// Schedule is the tile's parsed service hours, nil when always open.
func (t *Tile) Schedule() *hours.Schedule { return t.schedule }

// Category groups tiles on the home page.
type Category struct {
	ID    string `yaml:"id" json:"id"`
	Title Text   `yaml:"title" json:"title"`
	Order int    `yaml:"order,omitempty" json:"order"`
}

// Set is every tile and category, checked.
type Set struct {
	Categories []Category `yaml:"categories" json:"categories"`
	Tiles      []*Tile    `yaml:"tiles" json:"tiles"`
}

// Tile returns the tile with id.
func (s *Set) Tile(id string) (*Tile, bool) {
	for _, t := range s.Tiles {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// Category returns the category with id.
func (s *Set) Category(id string) (Category, bool) {
	for _, c := range s.Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// FieldErrors names what is wrong with each field, for people and for the API.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(fe)) {
		parts = append(parts, k+": "+fe[k])
	}
	return strings.Join(parts, "; ")
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Rules are what a tile is checked against.
type Rules struct {
	Levels []string          // known sign-in levels
	Icon   func(string) bool // whether an icon exists
}

// Check validates one tile against the categories it may use. It also
// parses its service hours.
func (t *Tile) Check(categories []Category, r Rules) FieldErrors {
	fe := FieldErrors{}
	if !idPattern.MatchString(t.ID) {
		fe["id"] = "use lower-case letters, digits and hyphens, at most 63"
	}
	if strings.TrimSpace(t.Title.In("sv", "en")) == "" {
		fe["title"] = "give a title in at least one language"
	}
	for field, text := range map[string]Text{"title": t.Title, "description": t.Description} {
		for lang := range text {
			if !slices.Contains([]string{"sv", "nb", "nn", "en"}, lang) {
				fe[field] = fmt.Sprintf("unknown language %q; use sv, nb, nn or en (quote texts that hold commas)", lang)
			}
		}
	}
	if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe["url"] = "must be a full http(s) address, such as https://pass.example.se/"
	}
	if t.HealthURL != "" {
		if u, err := url.Parse(t.HealthURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fe["health_url"] = "must be a full http(s) address"
		}
	}
	if !slices.ContainsFunc(categories, func(c Category) bool { return c.ID == t.Category }) {
		fe["category"] = fmt.Sprintf("unknown category %q", t.Category)
	}
	if t.MinAuth != "" && !slices.Contains(r.Levels, t.MinAuth) {
		fe["min_auth"] = fmt.Sprintf("unknown sign-in level %q; known: %s", t.MinAuth, strings.Join(r.Levels, ", "))
	}
	if t.TooWeak != "" && t.TooWeak != "lock" && t.TooWeak != "hide" {
		fe["too_weak"] = `use "lock" (show it locked) or "hide"`
	}
	if t.Icon != "" && t.Icon != UploadedIcon && r.Icon != nil && !r.Icon(t.Icon) {
		fe["icon"] = fmt.Sprintf("no icon named %q in the theme", t.Icon)
	}
	t.schedule = nil
	if t.Hours != nil {
		s, err := hours.Parse(*t.Hours)
		if err != nil {
			fe["hours"] = err.Error()
		} else {
			t.schedule = s
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Check validates the whole set: every tile, and unique ids.
func (s *Set) Check(r Rules) error {
	seen := map[string]bool{}
	for _, c := range s.Categories {
		if !idPattern.MatchString(c.ID) {
			return fmt.Errorf("category %q: use lower-case letters, digits and hyphens", c.ID)
		}
		if seen["c:"+c.ID] {
			return fmt.Errorf("category %q is given twice", c.ID)
		}
		seen["c:"+c.ID] = true
	}
	for i, t := range s.Tiles {
		if fe := t.Check(s.Categories, r); fe != nil {
			return fmt.Errorf("tile %d (%s): %w", i+1, t.ID, fe)
		}
		if seen[t.ID] {
			return fmt.Errorf("tile %q is given twice", t.ID)
		}
		seen[t.ID] = true
	}
	return nil
}

// ParseYAML reads a tiles.yaml. Errors name the line where YAML can.
func ParseYAML(data []byte, r Rules) (*Set, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Set
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("tiles: %w", err)
	}
	if err := s.Check(r); err != nil {
		return nil, fmt.Errorf("tiles: %w", err)
	}
	return &s, nil
}
