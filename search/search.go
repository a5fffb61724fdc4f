// Package search is Torg's full-text index, on bleve: Swedish, Norwegian
// and English analysis with compounds, inflections, missing diacritics and
// typos, and the access rule as a filter inside every query, so that hits,
// totals, facets, snippets, suggestions and paging only ever count what the
// asker may see.
package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrInUse is returned by Open when another process has the index open:
// bleve locks its files, so one index serves one process at a time.
var ErrInUse = errors.New("the search index is in use by another process")

// lockWait is how long Open waits for another process to let go of the index.
const lockWait = 2 * time.Second

// mappingVersion changes whenever the analysis or fields change; an index
// on disk built with another version is rebuilt.
const mappingVersion = "13"

// Doc is one searchable thing: a page, an FAQ answer or a tile.
type Doc struct {
	ID      string            // unique: "page:/x", "faq:/x#q", "tile:id"
	Kind    string            // page, faq, tile
	Type    string            // page, news, job, faq, contact, tile
	URL     string            // where a hit leads
	Title   string            // in the doc's language
	Titles  map[string]string // titles in other languages (tiles)
	Summary string
	// Summaries are the summary in other languages (tiles), each found
	// through its own language's analysis.
	Summaries map[string]string `json:",omitempty"`
	Body      string            // plain text
	Keywords  []string
	Tags      []string
	Section   string
	Lang      string // sv, nb, nn, en
	Date      time.Time

	// What the access rule needs.
	Audience  []string // "public", roles, or empty for every signed-in person
	MinAuth   string
	Zones     []string
	PublishAt time.Time
	ExpireAt  time.Time
}

// hash fingerprints a doc, so unchanged docs are not indexed again.
func (d *Doc) hash() string {
	b, _ := json.Marshal(d)
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("%x", h.Sum64())
}

// Index is the search index on disk.
type Index struct {
	dir    string
	log    *slog.Logger
	levels []string
	mu     sync.RWMutex
	idx    bleve.Index
	// manifest maps doc ids to their hashes, as indexed.
	manifest map[string]string
	// groups counts the docs of each language group, so that queries skip
	// the fields of languages no doc is in.
	groups map[string]int
	// acl keeps what each class of viewers may see in the latest snapshot.
	acl aclCache
}

// Open opens the index in dir, or builds an empty one. A corrupt index, or
// one built by another version of Torg's analysis, is removed and built
// anew, with a log line, never a crash. An empty dir keeps it in memory.
func Open(dir string, levels []string, log *slog.Logger) (*Index, error) {
	x := &Index{dir: dir, log: log, levels: levels, manifest: map[string]string{}}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		// scorch, as on disk: the access filter relies on its doc numbers.
		x.idx, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
		return x, err
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		idx, err := bleve.OpenUsing(dir, map[string]any{"bolt_timeout": lockWait.String()})
		if errors.Is(err, bolterrors.ErrTimeout) {
			// Another process (a running server) holds it: not broken, so not rebuilt.
			if pid := lockHolder(filepath.Join(dir, "store", "root.bolt")); pid > 0 {
				return nil, fmt.Errorf("%w (%s, process %d)", ErrInUse, dir, pid)
			}
			return nil, fmt.Errorf("%w (%s)", ErrInUse, dir)
		}
		if err == nil {
			v, _ := idx.GetInternal([]byte("mapping_version"))
			man, _ := idx.GetInternal([]byte("manifest"))
			if string(v) == mappingVersion && json.Unmarshal(man, &x.manifest) == nil {
				x.idx = idx
				return x, nil
			}
			idx.Close()
			log.Info("the search index was built by another version; rebuilding", "dir", dir)
		} else {
			log.Warn("the search index cannot be opened; rebuilding it", "dir", dir, "err", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("remove broken index: %w", err)
		}
		x.manifest = map[string]string{}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return nil, err
	}
	x.idx, err = bleve.New(dir, m)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	if err := x.idx.SetInternal([]byte("mapping_version"), []byte(mappingVersion)); err != nil {
		return nil, err
	}
	return x, nil
}

// Close closes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.idx.Close()
}

// Compact merges the index's segments into one, in the background of
// searches (they go on meanwhile), so that a query reads one dictionary and
// one posting list per term instead of one per segment. Worth it after a
// rebuild; ordinary updates are merged by the index as it goes.
func (x *Index) Compact(ctx context.Context) error {
	adv, err := x.idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok || x.dir == "" {
		return nil // the in-memory index has nothing to merge
	}
	return s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions)
}

// Bleve exposes the underlying index to tests and benchmarks of this package's users.
func (x *Index) Bleve() bleve.Index { return x.idx }

// Offered is true: the index answers searches.
func (x *Index) Offered() bool { return true }

// Len is the number of indexed docs.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.manifest)
}

// batchSize bounds how many docs are analysed into memory before they are
// written, which bounds the memory a rebuild takes.
var batchSize = 100

// SyncStats says what a Sync did.
type SyncStats struct{ Added, Updated, Removed, Kept int }

// Sync makes the index hold exactly docs: new and changed docs are
// indexed, vanished ones removed, unchanged ones left alone.
func (x *Index) Sync(ctx context.Context, docs []Doc, progress func(done, total int)) (SyncStats, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var st SyncStats
	want := make(map[string]string, len(docs))
	var todo []int
	for i := range docs {
		h := docs[i].hash()
		want[docs[i].ID] = h
		switch old, ok := x.manifest[docs[i].ID]; {
		case !ok:
			st.Added++
			todo = append(todo, i)
		case old != h:
			st.Updated++
			todo = append(todo, i)
		default:
			st.Kept++
		}
	}
	batch := x.idx.NewBatch()
	flush := func() error {
		if batch.Size() == 0 {
			return nil
		}
		if err := x.idx.Batch(batch); err != nil {
			return err
		}
		batch.Reset()
		return nil
	}
	for id := range x.manifest {
		if _, ok := want[id]; !ok {
			batch.Delete(id)
			st.Removed++
		}
	}
	for n, i := range todo {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		if err := batch.Index(docs[i].ID, docs[i].fields(x.levels)); err != nil {
			return st, fmt.Errorf("index %s: %w", docs[i].ID, err)
		}
		if batch.Size() >= batchSize {
			if err := flush(); err != nil {
				return st, err
			}
			if progress != nil {
				progress(n+1, len(todo))
			}
		}
	}
	if err := flush(); err != nil {
		return st, err
	}
	if progress != nil {
		progress(len(todo), len(todo))
	}
	x.manifest = want
	x.groups = map[string]int{}
	for i := range docs {
		x.groups[langGroup(docs[i].Lang)]++
		for lang := range docs[i].Titles {
			x.groups[langGroup(lang)]++
		}
		for lang := range docs[i].Summaries {
			x.groups[langGroup(lang)]++
		}
	}
	man, _ := json.Marshal(want)
	if err := x.idx.SetInternal([]byte("manifest"), man); err != nil {
		return st, err
	}
	return st, nil
}

// Rebuild empties the index and indexes docs again.
func (x *Index) Rebuild(ctx context.Context, docs []Doc, progress func(done, total int)) (SyncStats, error) {
	x.mu.Lock()
	ids := slices.Sorted(maps.Keys(x.manifest))
	batch := x.idx.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	err := x.idx.Batch(batch)
	x.manifest = map[string]string{}
	x.mu.Unlock()
	if err != nil {
		return SyncStats{}, err
	}
	return x.Sync(ctx, docs, progress)
}

// Size is the index's size on disk in bytes.
func (x *Index) Size() int64 {
	var n int64
	filepath.Walk(x.dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// newMapping describes the fields.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	keyword := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeInAll, f.DocValues = store, false, true
		return f
	}
	numeric := func() *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store, f.IncludeInAll = true, false
		return f
	}
	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeInAll, f.IncludeTermVectors = analyzer, store, false, true // positions, for phrases
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index, f.Store, f.IncludeInAll = false, true, false
		return f
	}
	for _, name := range []string{"kind", "type", "lang", "section", "tags", "acl", "news_month"} {
		doc.AddFieldMappingsAt(name, keyword(name == "type" || name == "lang" || name == "section" || name == "kind"))
	}
	doc.AddFieldMappingsAt("url", keyword(true))
	for _, name := range []string{"publish", "expire", "date"} {
		doc.AddFieldMappingsAt(name, numeric())
	}
	for lang, a := range map[string][2]string{"sv": {analyzerSV, analyzerSVBody}, "no": {analyzerNO, analyzerNOBody}, "en": {analyzerEN, analyzerEN}} {
		doc.AddFieldMappingsAt("title_"+lang, text(a[0], false))
		doc.AddFieldMappingsAt("body_"+lang, text(a[1], true))
	}
	doc.AddFieldMappingsAt("fold_title", text(analyzerFold, false))
	doc.AddFieldMappingsAt("fold_kw", text(analyzerFold, false))
	doc.AddFieldMappingsAt("raw_title", text(analyzerRaw, false))
	doc.AddFieldMappingsAt("raw", text(analyzerRaw, false))
	doc.AddFieldMappingsAt("title", stored())
	doc.AddFieldMappingsAt("summary", stored())
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerSV
	return m, nil
}

// langGroup routes a content language to its analysed fields.
func langGroup(lang string) string {
	switch lang {
	case "nb", "nn":
		return "no"
	case "en":
		return "en"
	}
	return "sv"
}

const (
	farFuture   = float64(1 << 52)
	audPublic   = "_public"
	audSignedIn = "_signed_in"
	zoneAny     = "_any"
	levelNone   = "_none"
)

// addLine adds s as a line of the text field key, unless it is one already.
func addLine(f map[string]any, key, s string) bool {
	prev, _ := f[key].(string)
	if s == "" || slices.Contains(strings.Split(prev, "\n"), s) {
		return false
	}
	if prev != "" {
		s = prev + "\n" + s
	}
	f[key] = s
	return true
}

// fields flattens a doc into the index's fields.
func (d *Doc) fields(levels []string) map[string]any {
	g := langGroup(d.Lang)
	f := map[string]any{
		"kind": d.Kind, "type": d.Type, "url": d.URL, "lang": d.Lang, "section": d.Section,
		"title": d.Title, "summary": d.Summary, "tags": d.Tags,
		"title_" + g: d.Title, "body_" + g: d.Summary + "\n" + d.Body,
		"fold_title": fold(d.Title),
		"fold_kw":    fold(strings.Join(slices.Concat(d.Keywords, d.Tags), " ")),
		"raw_title":  d.Title,
		"raw":        d.Title + "\n" + d.Summary + "\n" + d.Body,
	}
	// Other languages, each through its own analysis, in a fixed order.
	for _, lang := range slices.Sorted(maps.Keys(d.Titles)) {
		if t := d.Titles[lang]; addLine(f, "title_"+langGroup(lang), t) {
			addLine(f, "fold_title", fold(t))
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(d.Summaries)) {
		if s := d.Summaries[lang]; addLine(f, "body_"+langGroup(lang), s) {
			addLine(f, "raw", s)
		}
	}
	f["acl"] = aclTokens(d)
	if d.Type == "news" && !d.Date.IsZero() {
		f["news_month"] = d.Date.UTC().Format("2006-01")
	}
	f["publish"] = 0.0
	if !d.PublishAt.IsZero() {
		f["publish"] = float64(d.PublishAt.Unix())
	}
	f["expire"] = farFuture
	if !d.ExpireAt.IsZero() {
		f["expire"] = float64(d.ExpireAt.Unix())
	}
	f["date"] = 0.0
	if !d.Date.IsZero() {
		f["date"] = float64(d.Date.Unix())
	}
	return f
}

// aclTokens folds the access rule's parts of a doc into one keyword field:
// audience|zone|level|scheduled, one token per audience and zone. The
// viewer's filter is then one set of terms to look up.
func aclTokens(d *Doc) []string {
	auds := []string{}
	for _, a := range d.Audience {
		if a == "public" {
			auds = append(auds, audPublic)
		} else {
			auds = append(auds, a)
		}
	}
	if len(auds) == 0 {
		auds = []string{audSignedIn}
	}
	zones := d.Zones
	if len(zones) == 0 {
		zones = []string{zoneAny}
	}
	level := levelNone
	if d.MinAuth != "" && !slices.Contains(d.Audience, "public") {
		level = d.MinAuth
	}
	sched := "no"
	if !d.PublishAt.IsZero() || !d.ExpireAt.IsZero() {
		sched = "yes"
	}
	var out []string
	for _, a := range auds {
		for _, z := range zones {
			out = append(out, a+"|"+z+"|"+level+"|"+sched)
		}
	}
	return out
}
