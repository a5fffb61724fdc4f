package publishing

import (
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/torg-cms/torg/cms/content"
)

// Form is what the editor's fields hold: an item's front matter as
// separate fields, its body, and the note or comment of a step.
type Form struct {
	Section, Slug, Lang            string
	Title, Summary, Type, Body     string
	Audience                       []string
	SignedIn                       bool // no audience means every signed-in person, not the section's
	MinAuth, Tags                  string
	Date, PublishAt, ExpireAt      string
	ImportantUntil                 string
	ApplyBy, Unit, Extent, Contact string
	Note, Comment, Reason          string
	Version                        int64
}

// Has reports whether the audience holds a role, for checkboxes.
func (f Form) Has(role string) bool { return slices.Contains(f.Audience, role) }

// AudienceMode is where the item's readers come from: "roles" it names,
// "signed_in" (every signed-in person) or "inherit" (its section's).
func (f Form) AudienceMode() string {
	switch {
	case len(f.Audience) > 0:
		return "roles"
	case f.SignedIn:
		return "signed_in"
	}
	return "inherit"
}

// Markdown composes the item's file: front matter from the fields, then the body.
func (f Form) Markdown() string {
	fm := yaml.Node{Kind: yaml.MappingNode}
	add := func(k, v string) {
		if strings.TrimSpace(v) != "" {
			fm.Content = append(fm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(v)})
		}
	}
	list := func(k string, vs []string) {
		if len(vs) == 0 {
			return
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, v := range vs {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
		}
		fm.Content = append(fm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, seq)
	}
	add("title", f.Title)
	add("type", f.Type)
	add("summary", f.Summary)
	switch {
	case len(f.Audience) > 0:
		list("audience", f.Audience)
	case f.SignedIn:
		fm.Content = append(fm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "audience"}, &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle})
	}
	add("min_auth", f.MinAuth)
	var tags []string
	for _, t := range strings.Split(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	list("tags", tags)
	add("date", f.Date)
	add("publish_at", strings.Replace(f.PublishAt, "T", " ", 1))
	add("expire_at", strings.Replace(f.ExpireAt, "T", " ", 1))
	add("important_until", f.ImportantUntil)
	add("apply_by", f.ApplyBy)
	add("unit", f.Unit)
	add("extent", f.Extent)
	add("contact", f.Contact)
	out, _ := yaml.Marshal(&fm)
	return "---\n" + string(out) + "---\n" + strings.ReplaceAll(f.Body, "\r\n", "\n")
}

// Path is the item's file; a file in the default language names none.
func (f Form) Path(defaultLang string) string {
	p := strings.Trim(f.Section, "/") + "/" + f.Slug
	if f.Lang != "" && f.Lang != defaultLang {
		p += "." + f.Lang
	}
	return p + ".md"
}

// FormOf fills the fields from an item's Markdown.
func FormOf(it *Item, md string, opts content.Options) Form {
	f := Form{Version: it.Version}
	dir, file, _ := strings.Cut(it.Path, "/")
	for strings.Contains(file, "/") {
		d, rest, _ := strings.Cut(file, "/")
		dir, file = dir+"/"+d, rest
	}
	f.Section = dir
	base := strings.TrimSuffix(file, ".md")
	if b, l, ok := strings.Cut(base, "."); ok {
		base, f.Lang = b, l
	}
	f.Slug = base
	if f.Lang == "" {
		f.Lang = opts.DefaultLang
	}
	ci, _ := content.ParseFile(it.Path, []byte(md), opts)
	if ci == nil {
		f.Body = md
		return f
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(opts.Location).Format("2006-01-02")
	}
	minute := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(opts.Location).Format("2006-01-02T15:04")
	}
	_, body, _, _ := content.SplitFrontMatter([]byte(md))
	f.Title, f.Summary, f.Type, f.Body = ci.Title, ci.Summary, string(ci.Type), string(body)
	f.Audience, f.MinAuth, f.Tags = ci.Access.Audience, ci.Access.MinAuth, strings.Join(ci.Tags, ", ")
	f.SignedIn = !ci.Inherit["audience"] && len(ci.Access.Audience) == 0
	f.Date, f.PublishAt, f.ExpireAt, f.ImportantUntil = day(ci.Date), minute(ci.Access.PublishAt), minute(ci.Access.ExpireAt), day(ci.ImportantUntil)
	if ci.Job != nil {
		f.ApplyBy, f.Unit, f.Extent, f.Contact = day(ci.Job.ApplyBy), ci.Job.Unit, ci.Job.Extent, ci.Job.Contact
		f.ExpireAt = "" // the ad closes with its apply_by day
	}
	return f
}
