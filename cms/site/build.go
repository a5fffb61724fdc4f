package site

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/render"
)

// Builder loads the sources into a Site and keeps the current one. It keeps
// the last good version of every file, so that a broken edit never takes a
// page down, and caches rendered pages across rebuilds.
type Builder struct {
	sources  []content.Source
	renderer *render.Renderer
	opts     Options
	clock    clock.Clock
	log      *slog.Logger

	mu       sync.Mutex // one build at a time
	lastGood map[string]*content.Item
	cache    map[string]*render.Doc
	refused  map[string]error       // what could not be rendered, by the key of cache
	goodDocs map[string]*render.Doc // the last document that rendered, by source and file
	current  atomic.Pointer[Site]
	builds   atomic.Int64

	subMu       sync.Mutex
	subscribers []func(*Site)
}

// Subscribe calls f with every site built from now on, once it is current.
// f runs on the building goroutine, so it should hand the work on.
func (b *Builder) Subscribe(f func(*Site)) {
	b.subMu.Lock()
	b.subscribers = append(b.subscribers, f)
	b.subMu.Unlock()
}

func (b *Builder) notify(s *Site) {
	b.subMu.Lock()
	subs := slices.Clone(b.subscribers)
	b.subMu.Unlock()
	for _, f := range subs {
		f(s)
	}
}

// NewBuilder returns a Builder over sources, in order of precedence: when two
// sources claim one URL, the earlier wins.
func NewBuilder(opts Options, clk clock.Clock, log *slog.Logger, sources ...content.Source) *Builder {
	if opts.DefaultLang == "" {
		opts.DefaultLang = "sv"
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	return &Builder{
		sources:  sources,
		renderer: render.New(),
		opts:     opts,
		clock:    clk,
		log:      log,
		lastGood: map[string]*content.Item{},
		cache:    map[string]*render.Doc{},
	}
}

// Current returns the site last built, or nil before the first build.
func (b *Builder) Current() *Site { return b.current.Load() }

// Builds counts the builds done, for tests and health.
func (b *Builder) Builds() int64 { return b.builds.Load() }

// Build reads every source, makes a new current site and tells the
// subscribers.
func (b *Builder) Build(ctx context.Context) (*Site, error) {
	s, err := b.build(ctx)
	if err != nil {
		return nil, err
	}
	b.notify(s)
	return s, nil
}

func (b *Builder) build(ctx context.Context) (*Site, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	copts := content.Options{DefaultLang: b.opts.DefaultLang, Location: b.opts.Location, Levels: b.opts.Policy.Levels}
	var items []*content.Item
	var probs content.Problems
	sourceOf := map[string]content.Source{}
	var assets []*Asset
	seen := map[string]bool{}
	for _, src := range b.sources {
		snap, err := src.Load(ctx, copts)
		if err != nil {
			return nil, err
		}
		for _, it := range snap.Items {
			key := src.Name() + ":" + it.File
			b.lastGood[key] = it
			seen[key] = true
		}
		items = append(items, snap.Items...)
		for _, f := range snap.Failed {
			key := src.Name() + ":" + f
			if old, ok := b.lastGood[key]; ok {
				b.log.Warn("keeping the last good version of a file that no longer loads", "source", src.Name(), "file", f)
				items = append(items, old)
				seen[key] = true
			}
		}
		probs = append(probs, prefixed(src, snap.Problems)...)
		for _, a := range snap.Assets {
			assets = append(assets, &Asset{Asset: a, URL: "/" + a.File, source: src})
		}
		sourceOf[src.Name()] = src
	}
	for key := range b.lastGood {
		if !seen[key] {
			delete(b.lastGood, key) // the file was removed
		}
	}
	s, cache := b.assemble(items, assets, probs, sourceOf)
	b.cache = cache
	s.Built = b.clock.Now()
	b.current.Store(s)
	b.builds.Add(1)
	return s, nil
}

// prefixed names problems by source when there are several sources.
func prefixed(src content.Source, ps content.Problems) content.Problems {
	out := make(content.Problems, len(ps))
	for i, p := range ps {
		p.File = path.Join(src.Name(), p.File)
		out[i] = p
	}
	return out
}

func (b *Builder) assemble(items []*content.Item, assets []*Asset, probs content.Problems, sources map[string]content.Source) (*Site, map[string]*render.Doc) {
	s := &Site{
		opts:     b.opts,
		byURL:    map[string]*Page{},
		sections: map[string]*Section{},
		aliases:  map[string]string{},
		assets:   map[string]*Asset{},
		refs:     map[string][]*Page{},
		media:    map[string][]*Page{},
	}
	problem := func(it *content.Item, line int, sev content.Severity, format string, args ...any) {
		s.Problems = append(s.Problems, content.Problem{File: path.Join(it.Source, it.File), Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	s.Problems = append(s.Problems, probs...)

	// URLs: the first claim wins, later ones are reported.
	byFile := map[string]*Page{}
	for _, it := range items {
		if other, ok := s.byURL[it.URL]; ok {
			problem(it, it.Lines["slug"], content.Error, "URL %s is already used by %s", it.URL, path.Join(other.Source, other.File))
			byFile[it.Source+":"+it.File] = other // links to the losing file lead to the URL it claimed
			continue
		}
		own := *it // a page's inherited fields are this build's, not the kept file's
		p := &Page{Item: &own}
		s.byURL[it.URL] = p
		s.pages = append(s.pages, p)
		byFile[it.Source+":"+it.File] = p
	}
	for _, a := range assets {
		if p, ok := s.byURL[a.URL]; ok {
			s.Problems = append(s.Problems, content.Problem{File: path.Join(a.Source, a.File), Severity: content.Error, Message: "its URL is already used by " + path.Join(p.Source, p.File)})
			continue
		}
		s.assets[a.URL] = a
	}
	for _, p := range s.pages {
		for _, al := range p.Aliases {
			switch {
			case s.byURL[al] != nil:
				problem(p.Item, p.Lines["aliases"], content.Error, "alias %s is the URL of %s", al, path.Join(s.byURL[al].Source, s.byURL[al].File))
			case s.aliases[al] != "":
				problem(p.Item, p.Lines["aliases"], content.Error, "alias %s is already an alias of %s", al, s.aliases[al])
			default:
				s.aliases[al] = p.URL
			}
		}
	}
	sort.Slice(s.pages, func(i, j int) bool { return s.pages[i].URL < s.pages[j].URL })

	b.buildSections(s)
	in := inheritAccess(s)
	s.inheritance = in
	for _, a := range s.assets {
		// A file's folder rule is what a page there that sets nothing gets.
		folder := inheritsAll()
		in.fill(folder, a.dir(), s.opts.DefaultLang, false)
		a.rule = folder.Access
	}
	linkTranslations(s)

	// Render, reusing what was rendered before for unchanged files while the
	// set of files (which links resolve against) is unchanged.
	h := sha256.New()
	for _, p := range s.pages {
		fmt.Fprintln(h, p.Source, p.File, p.URL)
	}
	for _, a := range assets {
		fmt.Fprintln(h, a.Source, a.File)
	}
	for al := range s.aliases {
		fmt.Fprintln(h, "alias", al)
	}
	linkKey := hex.EncodeToString(h.Sum(nil))
	cache := make(map[string]*render.Doc, len(s.pages))
	refused := map[string]error{}
	goodDocs := make(map[string]*render.Doc, len(s.pages))
	for _, p := range s.pages {
		key := p.Hash + ":" + linkKey
		file := p.Source + ":" + p.File
		doc, ok := b.cache[key]
		err := b.refused[key]
		if !ok && err == nil {
			doc, err = b.renderer.Render(p.Body, p.AllowHTML, s.resolver(p, byFile))
		}
		if err != nil {
			// A page beyond the rendering limits keeps the last version
			// that rendered, or shows that it cannot be shown.
			refused[key] = err
			line, why := 0, err.Error()
			var le *render.LimitError
			if errors.As(err, &le) {
				why = le.What()
				if le.Line > 0 {
					line = p.BodyLine + le.Line - 1
				}
			}
			if old := b.goodDocs[file]; old != nil {
				doc = old
				goodDocs[file] = old
				problem(p.Item, line, content.Error, "cannot render: %s; the page shows its last good version", why)
			} else {
				doc = &render.Doc{}
				p.Unrendered = true
				problem(p.Item, line, content.Error, "cannot render: %s", why)
			}
		} else {
			cache[key] = doc
			goodDocs[file] = doc
		}
		p.Doc = doc
		for _, lp := range doc.Problems {
			problem(p.Item, p.BodyLine+lp.Line-1, content.Error, "%s", lp.Message)
			s.BrokenLinks = append(s.BrokenLinks, BrokenLink{Page: p, Line: p.BodyLine + lp.Line - 1, Message: lp.Message})
		}
		for _, ref := range doc.Refs {
			if _, ok := s.assets[ref]; ok {
				s.refs[ref] = append(s.refs[ref], p)
			} else if m := mediaPath(ref); m != "" {
				s.media[m] = append(s.media[m], p)
			}
		}
	}
	b.refused, b.goodDocs = refused, goodDocs
	sort.SliceStable(s.Problems, func(i, j int) bool {
		if s.Problems[i].File != s.Problems[j].File {
			return s.Problems[i].File < s.Problems[j].File
		}
		return s.Problems[i].Line < s.Problems[j].Line
	})
	return s, cache
}

// buildSections makes a section for every folder, in every language that has
// content there, and files each page under its own.
func (b *Builder) buildSections(s *Site) {
	def := b.opts.DefaultLang
	var ensure func(dir, lang string) *Section
	ensure = func(dir, lang string) *Section {
		u := content.SectionURL(dir, lang, def)
		if sec, ok := s.sections[u]; ok {
			return sec
		}
		sec := &Section{Dir: dir, Lang: lang, URL: u}
		s.sections[u] = sec
		if dir != "" {
			sec.Parent = ensure(parentDir(dir), lang)
			sec.Parent.Children = append(sec.Parent.Children, sec)
		}
		return sec
	}
	ensure("", def)
	for _, p := range s.pages {
		sec := ensure(p.Dir, p.Lang)
		p.Section = sec
		if p.IsIndex {
			sec.Index = p
		} else {
			sec.Pages = append(sec.Pages, p)
		}
	}
	for _, sec := range s.sections {
		switch {
		case sec.Index != nil:
			sec.Title = sec.Index.Title
		case sec.Lang != def && s.sections[content.SectionURL(sec.Dir, def, def)] != nil && s.sections[content.SectionURL(sec.Dir, def, def)].Index != nil:
			sec.Title = s.sections[content.SectionURL(sec.Dir, def, def)].Index.Title
		case sec.Dir == "":
			sec.Title = "Start"
		default:
			sec.Title = strings.ToUpper(path.Base(sec.Dir)[:1]) + strings.ReplaceAll(path.Base(sec.Dir)[1:], "-", " ")
		}
	}
}

// inheritedFields are the front-matter fields a page takes from the
// sections above it when it does not set them itself, each with what makes
// a translated section's own value wider than its folder allows (nil: any
// value is allowed).
var inheritedFields = []struct {
	name  string
	copy  func(to, from *content.Item)
	wider func(p access.Policy, r, limit *content.Item) bool
}{
	{"audience", func(to, from *content.Item) { to.Access.Audience = from.Access.Audience }, widerIn("audience")},
	{"min_auth", func(to, from *content.Item) { to.Access.MinAuth = from.Access.MinAuth }, widerIn("min_auth")},
	{"zones", func(to, from *content.Item) { to.Access.Zones = from.Access.Zones }, widerIn("zones")},
	// Who looks after a section decides no reader's access, so a
	// translation may name other editors.
	{"editors", func(to, from *content.Item) { to.Editors = from.Editors }, nil},
}

func widerIn(field string) func(p access.Policy, r, limit *content.Item) bool {
	return func(p access.Policy, r, limit *content.Item) bool {
		return slices.Contains(p.Wider(r.Access, limit.Access), field)
	}
}

// inheritance walks the section indexes for the fields a page inherits.
// In each folder, the index in the page's own language is asked first,
// then the default language's, so a translated _index never drops what
// the folder demands. A translated _index may narrow its folder's access,
// never widen it: a wider value is reported and not used.
type inheritance struct {
	s        *Site
	rejected map[*content.Item]map[string]bool // translated indexes' own values that would widen access
}

func (in *inheritance) index(dir, lang string) *content.Item {
	if sec := in.s.sections[content.SectionURL(dir, lang, in.s.opts.DefaultLang)]; sec != nil && sec.Index != nil {
		return sec.Index.Item
	}
	return nil
}

// sets reports whether it sets field itself, with a value that holds.
func (in *inheritance) sets(it *content.Item, field string) bool {
	return it != nil && !it.Inherit[field] && !in.rejected[it][field]
}

// from returns the section index whose field applies to an item of lang in
// dir that does not set it, or nil. The home folder's index gives its
// fields to its own translations (own), never to the pages below it.
func (in *inheritance) from(dir, lang, field string, own bool) *content.Item {
	for d := dir; ; d = parentDir(d) {
		if d != "" || own {
			if it := in.index(d, lang); in.sets(it, field) {
				return it
			}
			if it := in.index(d, in.s.opts.DefaultLang); in.sets(it, field) {
				return it
			}
		}
		if d == "" {
			return nil
		}
	}
}

// fill gives it, an item of lang in dir, every inherited field it does not
// set itself. index says it is the folder's own _index, which at the top
// takes the home page's fields too.
func (in *inheritance) fill(it *content.Item, dir, lang string, index bool) {
	for _, f := range inheritedFields {
		if in.sets(it, f.name) {
			continue
		}
		from := in.from(dir, lang, f.name, index && dir == "")
		if from == nil {
			from = &content.Item{}
		}
		f.copy(it, from)
	}
}

// inheritsAll is an item that sets none of the inherited fields.
func inheritsAll() *content.Item {
	it := &content.Item{Inherit: map[string]bool{}}
	for _, f := range inheritedFields {
		it.Inherit[f.name] = true
	}
	return it
}

// inheritAccess gives every page the access fields it does not set itself,
// after checking that no translated section index widens its folder's.
func inheritAccess(s *Site) *inheritance {
	in := &inheritance{s: s, rejected: map[*content.Item]map[string]bool{}}
	def := s.opts.DefaultLang
	for _, p := range s.pages {
		if !p.IsIndex || p.Lang == def {
			continue
		}
		// What the folder demands in the default language: its own index
		// (which never has rejected values) or the sections above.
		limit := inheritsAll()
		in.fill(limit, p.Dir, def, true)
		for _, f := range inheritedFields {
			if p.Inherit[f.name] || f.wider == nil || !f.wider(s.opts.Policy, p.Item, limit) {
				continue
			}
			if in.rejected[p.Item] == nil {
				in.rejected[p.Item] = map[string]bool{}
			}
			in.rejected[p.Item][f.name] = true
			s.Problems = append(s.Problems, content.Problem{File: path.Join(p.Source, p.File), Line: p.Lines[f.name], Severity: content.Error,
				Message: fmt.Sprintf("%s is wider than the folder's own in the default language (%s); a translation may narrow who sees a section, never widen it, so the default language's applies", f.name, def)})
		}
	}
	for _, p := range s.pages {
		in.fill(p.Item, p.Dir, p.Lang, p.IsIndex)
	}
	return in
}

// linkTranslations groups language versions: by translation_key, else by the
// same file name in the same folder.
func linkTranslations(s *Site) {
	groups := map[string][]*Page{}
	for _, p := range s.pages {
		key := p.TranslationKey
		if key == "" {
			base := path.Base(p.File)
			base = strings.TrimSuffix(base, ".md")
			base = strings.TrimSuffix(base, "."+p.Lang)
			key = "file:" + p.Source + ":" + path.Join(p.Dir, base)
		}
		groups[key] = append(groups[key], p)
	}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		sort.Slice(g, func(i, j int) bool { return g[i].Lang < g[j].Lang })
		for _, p := range g {
			p.translations = g
		}
	}
}

// mediaPath is the upload a link leads to ("/media/key/name"), or "".
func mediaPath(ref string) string {
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	if p := path.Clean(u.Path); strings.HasPrefix(p, "/media/") {
		return p
	}
	return ""
}

var errNoTarget = errors.New("no such page or file")

// resolver rewrites the links of page p: relative links to Markdown files
// become page URLs, relative links to files beside it become asset URLs, and
// links to places that do not exist are reported.
func (s *Site) resolver(p *Page, byFile map[string]*Page) render.Resolver {
	return func(dest string, image bool) (string, bool, error) {
		what := "link to"
		if image {
			what = "image"
		}
		u, err := url.Parse(dest)
		if err != nil {
			return "", false, fmt.Errorf("%s %s: not a valid address", what, dest)
		}
		if u.Scheme != "" || u.Host != "" || u.Path == "" {
			return dest, false, nil // external, mailto:, tel:, or an anchor on this page
		}
		if strings.HasPrefix(u.Path, "/media/") {
			return dest, true, nil // an upload: the pages that show it decide who may fetch it
		}
		target := u.Path
		if !strings.HasPrefix(target, "/") {
			target = path.Join("/", p.Dir, target)
		}
		target = path.Clean(target)
		resolved := ""
		switch {
		case strings.HasSuffix(target, ".md"):
			if q, ok := byFile[p.Source+":"+strings.TrimPrefix(target, "/")]; ok {
				resolved = q.URL
			}
		case s.assets[target] != nil:
			resolved = target
		case s.byURL[target] != nil || s.sections[target] != nil || s.aliases[target] != "":
			resolved = target
		}
		if resolved == "" {
			if image {
				return "", false, fmt.Errorf("image %s does not exist", dest)
			}
			return "", false, fmt.Errorf("link to %s: %w", dest, errNoTarget)
		}
		out := url.URL{Path: resolved, RawQuery: u.RawQuery, Fragment: u.Fragment}
		return out.String(), true, nil
	}
}

// Watch rebuilds the site whenever a watchable source changes, until ctx
// ends, and returns then. Failed rebuilds keep the current site and are
// logged.
func (b *Builder) Watch(ctx context.Context) {
	var wg sync.WaitGroup
	for _, src := range b.sources {
		w, ok := src.(content.Watcher)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Watch(ctx, func() {
				start := time.Now()
				s, err := b.Build(ctx)
				if err != nil {
					b.log.Error("content reload failed; still serving the previous version", "source", src.Name(), "err", err)
					return
				}
				b.log.Info("content reloaded", "source", src.Name(), "pages", s.Len(), "problems", len(s.Problems), "took", time.Since(start).Round(time.Millisecond))
				LogProblems(b.log, s.Problems)
			}, b.log.With("source", src.Name()))
			if err != nil {
				b.log.Error("watching content stopped", "source", src.Name(), "err", err)
			}
		}()
	}
	wg.Wait()
}

// LogProblems writes each problem as one log line.
func LogProblems(log *slog.Logger, ps content.Problems) {
	for _, p := range ps {
		level := slog.LevelWarn
		if p.Severity == content.Error {
			level = slog.LevelError
		}
		log.Log(context.Background(), level, "content problem", "file", p.File, "line", p.Line, "problem", p.Message)
	}
}
