// Package site assembles the items of every source into one site: URLs,
// sections, translations, rendered pages and the files beside them. Every
// question a reader can ask of it goes through the access rule.
package site

import (
	"cmp"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/render"
)

// Options are the site-wide settings.
type Options struct {
	DefaultLang string
	Location    *time.Location
	Policy      access.Policy
}

// Page is an item with its rendered body.
type Page struct {
	*content.Item
	Doc          *render.Doc
	Unrendered   bool     // the body is beyond the rendering limits and no earlier version rendered: Doc is empty
	Section      *Section // the section the page is in; for an _index page, its own section
	translations []*Page
}

// Section is a folder in one language.
type Section struct {
	Dir      string
	Lang     string
	URL      string
	Title    string
	Index    *Page // the _index page, if the folder has one in this language
	Parent   *Section
	Pages    []*Page // the pages directly in the folder, _index excluded
	Children []*Section
}

// Asset is a file served beside the pages.
type Asset struct {
	content.Asset
	URL    string
	source content.Source
	rule   access.Rule // its folder's: what a page there that sets no access gets
}

// dir is the folder that holds the file, "" at the top.
func (a *Asset) dir() string {
	if d := path.Dir(a.File); d != "." {
		return d
	}
	return ""
}

// holds reports whether p is a page of the file's own folder or a folder
// below it, from the same source.
func (a *Asset) holds(p *Page) bool {
	d := a.dir()
	return p.Source == a.Source && (d == "" || p.Dir == d || strings.HasPrefix(p.Dir, d+"/"))
}

// Site is one consistent view of all content. It never changes after it is
// built; a reload builds a new one.
type Site struct {
	opts        Options
	pages       []*Page // sorted by URL
	byURL       map[string]*Page
	sections    map[string]*Section // by URL
	aliases     map[string]string
	assets      map[string]*Asset
	refs        map[string][]*Page // asset URL → pages that link to it
	media       map[string][]*Page // upload path (/media/key/name) → pages that show it
	inheritance *inheritance       // how pages take fields from their sections, for drafts built later
	// Problems are everything wrong that was found while building.
	Problems content.Problems
	// BrokenLinks are the local links and images that lead nowhere.
	BrokenLinks []BrokenLink
	// Built is when the site was built.
	Built time.Time
}

// Location is the site's time zone.
func (s *Site) Location() *time.Location { return s.opts.Location }

// DefaultLang is the language of the site's main pages.
func (s *Site) DefaultLang() string { return s.opts.DefaultLang }

// ForIndex returns every page that is not a draft, whatever its schedule
// and audience, for the search index. The index applies the access rule as
// a filter in every query; nothing else may use this list.
func (s *Site) ForIndex() []*Page {
	out := make([]*Page, 0, len(s.pages))
	for _, p := range s.pages {
		if !p.Access.Draft {
			out = append(out, p)
		}
	}
	return out
}

// BrokenLink is a local link or image in a page that leads nowhere.
type BrokenLink struct {
	Page    *Page
	Line    int // in the page's file
	Message string
}

// ExternalLinks returns every web address the pages link to, with the
// pages that do, for the link checker and the content-health report.
func (s *Site) ExternalLinks() map[string][]*Page {
	out := map[string][]*Page{}
	for _, p := range s.pages {
		if p.Doc == nil || p.Access.Draft {
			continue
		}
		for _, u := range p.Doc.External {
			out[u] = append(out[u], p)
		}
	}
	return out
}

// Has reports whether a page is at url, whoever may see it: for reports
// about pages that are gone, never for readers.
func (s *Site) Has(url string) bool {
	_, ok := s.byURL[url]
	return ok
}

// Len is the number of pages, visible or not: for logs and health, never for readers.
func (s *Site) Len() int { return len(s.pages) }

func (s *Site) decide(v access.Viewer, p *Page, now time.Time) access.Decision {
	return s.opts.Policy.Decide(v, p.Access, now)
}

// Visible reports whether v may see p at now.
func (s *Site) Visible(v access.Viewer, p *Page, now time.Time) bool {
	return s.decide(v, p, now) == access.Allow
}

// Inherit completes an item that is not (or not yet) part of the site, a
// draft say, with what it takes from its sections, as if it were a page here.
func (s *Site) Inherit(it *content.Item) {
	in := s.inheritance
	if in == nil {
		in = &inheritance{s: s}
	}
	in.fill(it, it.Dir, it.Lang, it.IsIndex)
}

// Editable reports whether v may look after p in the editor and its
// reports: the editorial rule, whatever p's schedule.
func (s *Site) Editable(v access.Viewer, p *Page) bool {
	return s.opts.Policy.MayEdit(v, p.Access, p.Editors)
}

// ForEditor returns the page at url when v may look after it.
func (s *Site) ForEditor(v access.Viewer, url string) (*Page, bool) {
	p, ok := s.byURL[url]
	if !ok || !s.Editable(v, p) {
		return nil, false
	}
	return p, true
}

// Reported reports whether the content-health report speaks of p to v:
// p is live at now and v may look after it.
func (s *Site) Reported(v access.Viewer, p *Page, now time.Time) bool {
	return p.Access.Live(now) && s.Editable(v, p)
}

// ReportedPages lists the pages the content-health report speaks of to v,
// in listing order.
func (s *Site) ReportedPages(v access.Viewer, now time.Time) []*Page {
	var out []*Page
	for _, p := range s.pages {
		if s.Reported(v, p, now) {
			out = append(out, p)
		}
	}
	SortPages(out)
	return out
}

// Folders lists the top-level folders of the default language, whoever may
// see them: for the editor, which asks the editorial rule of each, never
// for readers.
func (s *Site) Folders() []string {
	var out []string
	for _, sec := range s.sections {
		if sec.Dir != "" && !strings.Contains(sec.Dir, "/") && sec.Lang == s.opts.DefaultLang {
			out = append(out, sec.Dir)
		}
	}
	slices.Sort(out)
	return out
}

// Audiences lists, sorted, the roles the pages name in their audience and
// editors, whoever may see them: for the editor's choices, never for readers.
func (s *Site) Audiences() []string {
	var out []string
	for _, p := range s.pages {
		out = append(out, p.Access.Audience...)
		out = append(out, p.Editors...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Lookup finds the page or section at url for v. A page the viewer may not
// see answers exactly as one that does not exist.
func (s *Site) Lookup(v access.Viewer, now time.Time, url string) (*Page, *Section, access.Decision) {
	notFound := access.Hidden
	if v.IsAnonymous() {
		notFound = access.SignIn
	}
	if p, ok := s.byURL[url]; ok {
		if p.IsIndex {
			switch d := s.sectionDecision(v, now, p.Section); d {
			case access.Allow:
				return p, p.Section, d
			case access.StepUp:
				return p, nil, d
			default:
				return nil, nil, d
			}
		}
		d := s.decide(v, p, now)
		if d == access.Allow || d == access.StepUp {
			return p, nil, d
		}
		return nil, nil, notFound
	}
	if sec, ok := s.sections[url]; ok {
		if d := s.sectionDecision(v, now, sec); d != access.Allow {
			return nil, nil, d
		}
		return nil, sec, access.Allow
	}
	return nil, nil, notFound
}

// sectionDecision: a section with an _index follows its rule; the home page
// without one is open to all; any other section without one is visible when
// something in it is.
func (s *Site) sectionDecision(v access.Viewer, now time.Time, sec *Section) access.Decision {
	notFound := access.Hidden
	if v.IsAnonymous() {
		notFound = access.SignIn
	}
	if sec.Index != nil {
		d := s.decide(v, sec.Index, now)
		if d == access.Hidden || d == access.SignIn {
			return notFound
		}
		return d
	}
	if sec.Dir == "" || s.anyVisible(v, now, sec) {
		return access.Allow
	}
	return notFound
}

func (s *Site) anyVisible(v access.Viewer, now time.Time, sec *Section) bool {
	return slices.ContainsFunc(sec.Pages, func(p *Page) bool { return s.Visible(v, p, now) }) ||
		slices.ContainsFunc(sec.Children, func(c *Section) bool { return s.sectionDecision(v, now, c) == access.Allow })
}

// SectionVisible reports whether v may open the section's listing.
func (s *Site) SectionVisible(v access.Viewer, now time.Time, sec *Section) bool {
	return s.sectionDecision(v, now, sec) == access.Allow
}

// Alias returns the page URL an old URL moved to, if v may see that page.
func (s *Site) Alias(v access.Viewer, now time.Time, url string) (string, bool) {
	target, ok := s.aliases[url]
	if !ok {
		return "", false
	}
	if p, _, d := s.Lookup(v, now, target); d == access.Allow && p != nil {
		return target, true
	}
	return "", false
}

// Asset returns the file at url if v may see it: when a page of the file's
// own folder (or below) that v may see links it, or when another page v
// may see links it and the folder's access lets v in. A link from
// elsewhere — an editor item, another folder — never makes a file more
// visible than its folder, and a file no visible page uses is not served.
func (s *Site) Asset(v access.Viewer, now time.Time, url string) (*Asset, bool) {
	a, ok := s.assets[url]
	if !ok {
		return nil, false
	}
	folderOpen := s.opts.Policy.Decide(v, a.rule, now) == access.Allow
	for _, p := range s.refs[url] {
		if (folderOpen || a.holds(p)) && s.Visible(v, p, now) {
			return a, true
		}
	}
	return nil, false
}

// Media tells who may see the upload at url ("/media/key/name") by the
// pages that show it.
type Media struct {
	Shown   bool // a page that is live now shows it
	Visible bool // a page the reader may see shows it
	Public  bool // a page anyone may see, without signing in, shows it
}

// Media answers for the upload at url, for v at now.
func (s *Site) Media(v access.Viewer, now time.Time, url string) Media {
	var m Media
	for _, p := range s.media[url] {
		m.Shown = m.Shown || p.Access.Live(now)
		m.Visible = m.Visible || s.Visible(v, p, now)
		m.Public = m.Public || s.Visible(access.Anonymous, p, now)
	}
	return m
}

// Open opens an asset's bytes.
func (a *Asset) Open() (fs.File, error) {
	return a.source.Open(a.File)
}

// Query selects pages for a listing.
type Query struct {
	Type    content.Type // "" = any
	Section string       // folder, with or without slashes; includes sub-folders
	Tag     string
	Lang    string
	// Indexes includes section _index pages; listings of content leave them out.
	Indexes bool
}

func (q Query) match(p *Page) bool {
	if !q.Indexes && p.IsIndex {
		return false
	}
	if q.Type != "" && p.Type != q.Type {
		return false
	}
	if q.Lang != "" && p.Lang != q.Lang {
		return false
	}
	if q.Tag != "" && !slices.ContainsFunc(p.Tags, func(t string) bool { return strings.EqualFold(t, q.Tag) }) {
		return false
	}
	if dir := strings.Trim(q.Section, "/"); dir != "" && p.Dir != dir && !strings.HasPrefix(p.Dir, dir+"/") {
		return false
	}
	return true
}

// List returns the pages that match q and that v may see at now, in the
// order of the site's listings.
func (s *Site) List(v access.Viewer, now time.Time, q Query) []*Page {
	var out []*Page
	for _, p := range s.pages {
		if q.match(p) && s.Visible(v, p, now) {
			out = append(out, p)
		}
	}
	SortPages(out)
	return out
}

// SortPages orders pages as listings show them: by weight (pages with a
// weight first), then news newest first, job ads by closing day, then title.
func SortPages(ps []*Page) {
	slices.SortStableFunc(ps, comparePages)
}

func comparePages(a, b *Page) int { return KeyOf(a).Compare(KeyOf(b)) }

// Key is a page's place in listing order. It is also the API's paging
// cursor, so a page added or removed between two requests shifts nothing.
type Key struct {
	Weight int    `json:"w"`
	When   int64  `json:"d"` // news: newest first; job ads: closing first
	Title  string `json:"t"`
	URL    string `json:"u"`
}

// KeyOf returns p's listing key.
func KeyOf(p *Page) Key {
	k := Key{Weight: p.Weight, Title: strings.ToLower(p.Title), URL: p.URL}
	if k.Weight == 0 {
		k.Weight = 1 << 30 // pages without a weight come after those with one
	}
	switch {
	case p.Type == content.TypeNews && !p.Date.IsZero():
		k.When = -p.Date.Unix()
	case p.Job != nil && !p.Job.ApplyBy.IsZero():
		k.When = p.Job.ApplyBy.Unix()
	}
	return k
}

// Compare orders keys: -1 when k comes before o.
func (k Key) Compare(o Key) int {
	if c := cmp.Compare(k.Weight, o.Weight); c != 0 {
		return c
	}
	if c := cmp.Compare(k.When, o.When); c != 0 {
		return c
	}
	if c := cmp.Compare(k.Title, o.Title); c != 0 {
		return c
	}
	return cmp.Compare(k.URL, o.URL)
}

// SectionListing returns what v sees of a section: its visible pages and
// sub-sections.
func (s *Site) SectionListing(v access.Viewer, now time.Time, sec *Section) ([]*Page, []*Section) {
	var pages []*Page
	for _, p := range sec.Pages {
		if s.Visible(v, p, now) {
			pages = append(pages, p)
		}
	}
	SortPages(pages)
	var subs []*Section
	for _, c := range sec.Children {
		if s.SectionVisible(v, now, c) {
			subs = append(subs, c)
		}
	}
	slices.SortStableFunc(subs, func(a, b *Section) int {
		wa, wb := 1<<30, 1<<30
		if a.Index != nil && a.Index.Weight != 0 {
			wa = a.Index.Weight
		}
		if b.Index != nil && b.Index.Weight != 0 {
			wb = b.Index.Weight
		}
		if c := cmp.Compare(wa, wb); c != 0 {
			return c
		}
		return cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	})
	return pages, subs
}

// Sections returns every section v may see, in all languages, sorted by URL.
func (s *Site) Sections(v access.Viewer, now time.Time) []*Section {
	var out []*Section
	for _, sec := range s.sections {
		if s.SectionVisible(v, now, sec) {
			out = append(out, sec)
		}
	}
	slices.SortFunc(out, func(a, b *Section) int { return cmp.Compare(a.URL, b.URL) })
	return out
}

// Home returns the home section in lang, or in the default language.
func (s *Site) Home(lang string) *Section {
	if sec, ok := s.sections[content.SectionURL("", lang, s.opts.DefaultLang)]; ok {
		return sec
	}
	return s.sections["/"]
}

// Crumb is one step of a breadcrumb trail.
type Crumb struct {
	Title string `json:"title"`
	Path  string `json:"path"`
}

// Breadcrumbs lists the sections above p (or sec) that v may see, home first.
func (s *Site) Breadcrumbs(v access.Viewer, now time.Time, p *Page, sec *Section) []Crumb {
	start := sec
	if p != nil && !p.IsIndex {
		start = p.Section
	} else if sec != nil {
		start = sec.Parent
	}
	var out []Crumb
	for c := start; c != nil; c = c.Parent {
		if s.SectionVisible(v, now, c) {
			out = append(out, Crumb{Title: c.Title, Path: c.URL})
		}
	}
	slices.Reverse(out)
	return out
}

// Translations lists the other language versions of p that v may see.
func (s *Site) Translations(v access.Viewer, now time.Time, p *Page) []*Page {
	var out []*Page
	for _, t := range p.translations {
		if t != p && s.Visible(v, t, now) {
			out = append(out, t)
		}
	}
	return out
}

// Translation returns p's version in lang that v may see, if there is one.
func (s *Site) Translation(v access.Viewer, now time.Time, p *Page, lang string) *Page {
	for _, t := range p.translations {
		if t.Lang == lang && s.Visible(v, t, now) {
			return t
		}
	}
	return nil
}

func parentDir(dir string) string {
	if dir == "" {
		return ""
	}
	d := path.Dir(dir)
	if d == "." {
		return ""
	}
	return d
}
