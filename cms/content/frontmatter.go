package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/hours"
)

// Options are the site settings that parsing depends on.
type Options struct {
	DefaultLang string         // language of files that name none
	Location    *time.Location // zone of dates written without one
	Levels      []string       // known sign-in levels, for min_auth
	AllowHTML   bool           // keep raw HTML (sanitised) instead of escaping it
}

func (o Options) lang() string {
	if o.DefaultLang == "" {
		return "sv"
	}
	return o.DefaultLang
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// SplitFrontMatter separates a leading "---" YAML block from the body,
// whatever the line ends. It returns the YAML, the body, and the file line
// on which the body starts; a file without front matter is all body.
func SplitFrontMatter(data []byte) (fm []byte, body []byte, bodyLine int, err error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !bytes.HasPrefix(data, []byte("---\n")) && !bytes.HasPrefix(data, []byte("---\r\n")) {
		return nil, data, 1, nil
	}
	rest := data[bytes.IndexByte(data, '\n')+1:]
	line := 2
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		if t := bytes.TrimRight(l, "\r \t"); string(t) == "---" || string(t) == "..." {
			if end < 0 {
				return rest[:off], nil, line + 1, nil
			}
			return rest[:off], rest[off+end+1:], line + 1, nil
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, nil, 0, fmt.Errorf("front matter starts with --- on line 1 but has no closing ---")
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// ParseFile reads one Markdown file into an Item. name is its slash path
// inside the source. Problems carry the file's line numbers; when any is an
// Error the item is nil.
func ParseFile(name string, data []byte, opts Options) (*Item, Problems) {
	var probs Problems
	fail := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: name, Line: line, Severity: Error, Message: fmt.Sprintf(format, args...)})
	}
	warn := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: name, Line: line, Severity: Warning, Message: fmt.Sprintf(format, args...)})
	}

	sum := sha256.Sum256(data)
	it := &Item{
		File:      name,
		Dir:       path.Dir(name),
		Hash:      hex.EncodeToString(sum[:]),
		Type:      TypePage,
		AllowHTML: opts.AllowHTML,
		Inherit:   map[string]bool{"audience": true, "min_auth": true, "zones": true, "editors": true},
	}
	if it.Dir == "." {
		it.Dir = ""
	}
	base := strings.TrimSuffix(path.Base(name), ".md")
	if b, l, ok := strings.Cut(base, "."); ok && slices.Contains(Languages, l) {
		base, it.Lang = b, l
	} else if ok {
		fail(0, "the file name ends in .%s.md, but %q is not a known language (%s)", l, l, strings.Join(Languages, ", "))
		return nil, probs
	}
	it.IsIndex = base == "_index"

	fm, body, bodyLine, err := SplitFrontMatter(data)
	if err != nil {
		fail(1, "%v", err)
		return nil, probs
	}
	it.Body, it.BodyLine = body, bodyLine

	var slug string
	lines := map[string]int{}
	// Lines are counted at \n everywhere in Torg; YAML would also break
	// lines at a lone \r and put every later problem on the wrong line.
	fm = loneCRAsSpace(fm)
	if len(bytes.TrimSpace(fm)) > 0 {
		var doc yaml.Node
		if err := yaml.Unmarshal(fm, &doc); err != nil {
			line := 1
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				n, _ := strconv.Atoi(m[1])
				line = n + 1
				// YAML also breaks lines at a lone \r; the file's lines are \n's.
				if last := 2 + bytes.Count(fm, []byte("\n")); line > last {
					line = last
				}
				msg = strings.TrimSpace(yamlLine.ReplaceAllString(msg, ""))
				msg = strings.TrimPrefix(msg, ": ")
			}
			fail(line, "front matter is not valid YAML: %s", msg)
			return nil, probs
		}
		if len(doc.Content) == 1 {
			m := doc.Content[0]
			if m.Kind != yaml.MappingNode {
				fail(m.Line+1, "front matter must be a list of fields (key: value)")
				return nil, probs
			}
			slug = decodeFields(it, m, opts, lines, fail, warn)
		}
	}
	if probs.HasErrors() {
		return nil, probs
	}
	it.Lines = lines

	if it.Lang == "" {
		it.Lang = opts.lang()
	}
	if it.Title == "" {
		it.Title = leadingHeading(body)
	}
	if it.Title == "" {
		if it.IsIndex {
			it.Title = humanize(path.Base(it.Dir))
		} else {
			it.Title = humanize(base)
		}
	}
	if slug != "" {
		base = slug
	}
	it.URL = urlFor(it.Dir, base, it.IsIndex, it.Lang, opts.lang())

	r := &it.Access
	if !r.PublishAt.IsZero() && !r.ExpireAt.IsZero() && !r.ExpireAt.After(r.PublishAt) {
		fail(lines["expire_at"], "expire_at (%s) is not after publish_at (%s)", r.ExpireAt.Format(time.DateTime), r.PublishAt.Format(time.DateTime))
	}
	switch {
	case it.IsIndex:
		// A section's _index names the kind of listing; it is not itself an ad or a news item.
	case it.Type == TypeJob:
		if it.Job == nil || it.Job.ApplyBy.IsZero() {
			warn(1, "a job ad should have apply_by, the last day to apply")
		} else {
			// A job ad closes at the end of its apply_by day.
			y, m, d := it.Job.ApplyBy.In(opts.loc()).Date()
			end := time.Date(y, m, d+1, 0, 0, 0, 0, opts.loc())
			if r.ExpireAt.IsZero() || end.Before(r.ExpireAt) {
				r.ExpireAt = end
			}
		}
	case it.Type == TypeNews:
		if it.Date.IsZero() {
			it.Date = r.PublishAt
		}
		if it.Date.IsZero() {
			warn(1, "a news item should have a date")
		}
	case it.Type == TypeContact:
		if it.Contact == nil {
			it.Contact = &Contact{}
		}
	}
	if probs.HasErrors() {
		return nil, probs
	}
	return it, probs
}

// decodeFields reads the front matter mapping into the item. It returns the slug.
func decodeFields(it *Item, m *yaml.Node, opts Options, lines map[string]int, fail, warn func(int, string, ...any)) string {
	var slug string
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1 // front matter starts on the file's second line
		key := k.Value
		lines[key] = line
		if seen[key] {
			fail(k.Line+1, "field %q is given twice", key)
			continue
		}
		seen[key] = true
		str := func() string {
			if v.Kind != yaml.ScalarNode {
				fail(line, "%s must be a single value", key)
				return ""
			}
			return strings.TrimSpace(v.Value)
		}
		list := func() []string {
			switch v.Kind {
			case yaml.ScalarNode:
				if v.Tag == "!!null" || v.Value == "" {
					return []string{}
				}
				return []string{strings.TrimSpace(v.Value)}
			case yaml.SequenceNode:
				out := []string{}
				for _, e := range v.Content {
					if e.Kind != yaml.ScalarNode {
						fail(e.Line+1, "%s must be a list of words", key)
						return nil
					}
					out = append(out, strings.TrimSpace(e.Value))
				}
				return out
			}
			fail(line, "%s must be a list, for example [a, b]", key)
			return nil
		}
		date := func() time.Time {
			s := str()
			if s == "" {
				return time.Time{}
			}
			t, err := parseTime(s, opts.loc())
			if err != nil {
				fail(line, "%s: %v", key, err)
			}
			return t
		}
		boolean := func() bool {
			var b bool
			if err := v.Decode(&b); err != nil {
				fail(line, "%s must be true or false", key)
			}
			return b
		}
		job := func() *Job {
			if it.Job == nil {
				it.Job = &Job{}
			}
			return it.Job
		}
		contact := func() *Contact {
			if it.Contact == nil {
				it.Contact = &Contact{}
			}
			return it.Contact
		}
		switch key {
		case "title":
			it.Title = str()
		case "summary", "description":
			it.Summary = str()
		case "type":
			t := Type(strings.ToLower(str()))
			if !slices.Contains(Types, t) {
				fail(line, "unknown type %q; use one of page, news, job, faq, contact", v.Value)
			}
			it.Type = t
		case "lang":
			l := strings.ToLower(str())
			if !slices.Contains(Languages, l) {
				fail(line, "unknown language %q; use one of %s", v.Value, strings.Join(Languages, ", "))
			} else if it.Lang != "" && it.Lang != l {
				fail(line, "lang %q contradicts the file name, which says %q", l, it.Lang)
			}
			it.Lang = l
		case "audience":
			it.Access.Audience = list()
			it.Inherit["audience"] = false
		case "min_auth":
			s := str()
			if s != "" && slices.Index(levelsOr(opts.Levels), s) < 0 {
				fail(line, "unknown sign-in level %q in min_auth; known levels: %s", s, strings.Join(levelsOr(opts.Levels), ", "))
			}
			it.Access.MinAuth = s
			it.Inherit["min_auth"] = false
		case "zones":
			it.Access.Zones = list()
			it.Inherit["zones"] = false
		case "editors":
			roles := list()
			if !it.IsIndex {
				warn(line, "editors is read only from a section's _index.md; here it is ignored")
				continue
			}
			it.Editors = roles
			it.Inherit["editors"] = false
		case "tags":
			it.Tags = list()
		case "date":
			it.Date = date()
		case "publish_at", "publishdate":
			it.Access.PublishAt = date()
		case "expire_at", "expirydate":
			it.Access.ExpireAt = date()
		case "reviewed":
			it.Reviewed = date()
		case "important_until":
			it.ImportantUntil = date()
		case "weight":
			if err := v.Decode(&it.Weight); err != nil {
				fail(line, "weight must be a whole number")
			}
		case "aliases":
			for _, a := range list() {
				if !strings.HasPrefix(a, "/") {
					fail(line, "alias %q must be a path that starts with /", a)
					continue
				}
				it.Aliases = append(it.Aliases, cleanURL(a))
			}
		case "draft":
			it.Access.Draft = boolean()
		case "translation_key":
			it.TranslationKey = str()
		case "slug":
			slug = str()
			if slug == "" || strings.ContainsAny(slug, "/?#") {
				fail(line, "slug %q must be one path segment", v.Value)
			}
		case "apply_by":
			job().ApplyBy = date()
		case "unit":
			job().Unit = str()
		case "extent":
			job().Extent = str()
		case "contact":
			job().Contact = str()
		case "phone":
			contact().Phone = str()
		case "email":
			contact().Email = str()
		case "address":
			contact().Address = str()
		case "opening_hours":
			var spec hours.Spec
			if err := v.Decode(&spec); err != nil {
				fail(line, "opening_hours: %v", strings.TrimPrefix(err.Error(), "yaml: "))
				continue
			}
			s, err := hours.Parse(spec)
			if err != nil {
				fail(line, "opening_hours: %v", err)
				continue
			}
			contact().Hours = s
		default:
			var val any
			if err := v.Decode(&val); err != nil {
				fail(line, "%s: %v", key, err)
				continue
			}
			if it.Params == nil {
				it.Params = map[string]any{}
			}
			it.Params[key] = val
		}
	}
	if it.Job != nil && it.Type != TypeJob {
		warn(0, "apply_by, unit, extent and contact belong to job ads (type: job)")
	}
	if it.Contact != nil && it.Type != TypeContact {
		warn(0, "phone, email, address and opening_hours belong to contact cards (type: contact)")
	}
	return slug
}

func levelsOr(levels []string) []string {
	if len(levels) == 0 {
		return access.DefaultLevels
	}
	return levels
}

var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads a date or date and time; one without a zone is in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range timeLayouts[1:] {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date; write 2026-12-01 or 2026-12-01 08:00", s)
}

// leadingHeading returns the text of a "# heading" that opens the body.
func leadingHeading(body []byte) string {
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "# ") {
			return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[2:]), "#"))
		}
		return ""
	}
	return ""
}

// humanize turns a file or folder name into a title: "boka-pass" → "Boka pass".
func humanize(s string) string {
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// urlFor gives the path an item is served at: the folder and file name, and
// a language prefix for languages other than the default one.
func urlFor(dir, base string, index bool, lang, defaultLang string) string {
	p := "/" + dir
	if !index {
		p = path.Join(p, base)
	}
	if lang != defaultLang {
		p = path.Join("/"+lang, p)
	}
	return cleanURL(p)
}

func cleanURL(p string) string {
	p = path.Clean("/" + p)
	return p
}

// SectionURL is the path of the section for a folder in a language.
func SectionURL(dir, lang, defaultLang string) string {
	return urlFor(dir, "", true, lang, defaultLang)
}

// loneCRAsSpace turns each \r that is not part of \r\n into a space.
func loneCRAsSpace(b []byte) []byte {
	if !bytes.ContainsRune(b, '\r') {
		return b
	}
	out := bytes.Clone(b)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = ' '
		}
	}
	return out
}
