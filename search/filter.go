package search

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/torg-cms/torg/cms/access"
)

// The access rule as terms is a disjunction of every audience|zone|level
// token a viewer may see plus two numeric ranges for the schedule: tens of
// term lookups per search, more than the words themselves cost. The docs a
// class of viewers (same roles, level, zones) may see change only when the
// index does, so they are worked out once per index snapshot and class,
// kept as a bitmap of the snapshot's doc numbers, and a search walks the
// bitmap. Only the scheduled docs are decided at the search's instant, from
// their publish and expire times.

// maxClasses bounds the viewer classes kept for one snapshot.
const maxClasses = 256

// aclSet is what one class of viewers may see in one snapshot.
type aclSet struct {
	always *roaring64.Bitmap // docs without a schedule
	timed  []timedDoc        // scheduled docs, by doc number
}

// timedDoc is a scheduled doc: visible from publish until before expire,
// in Unix seconds.
type timedDoc struct {
	num             uint64
	publish, expire float64
}

// at is the set at an instant.
func (s *aclSet) at(now time.Time) *roaring64.Bitmap {
	t := float64(now.Unix())
	var out *roaring64.Bitmap
	for _, d := range s.timed {
		if d.publish <= t && t < d.expire {
			if out == nil {
				out = s.always.Clone()
			}
			out.Add(d.num)
		}
	}
	if out == nil {
		return s.always // shared: only ever read
	}
	return out
}

// aclCache keeps the sets of the latest snapshot.
type aclCache struct {
	mu   sync.Mutex
	snap index.IndexReader
	sets map[string]*aclSet
}

func (c *aclCache) get(snap index.IndexReader, class string) *aclSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap {
		return nil
	}
	return c.sets[class]
}

func (c *aclCache) put(snap index.IndexReader, class string, s *aclSet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap || len(c.sets) >= maxClasses {
		c.snap, c.sets = snap, map[string]*aclSet{}
	}
	c.sets[class] = s
}

// accessQuery is the access rule for one viewer at one instant.
type accessQuery struct {
	x   *Index
	v   access.Viewer
	now time.Time
}

// errNotScorch guards the doc numbering the bitmaps rely on.
var errNotScorch = errors.New("search: the access filter needs a scorch index snapshot")

// Searcher walks the docs the viewer may see.
func (q *accessQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	if _, ok := r.(*scorch.IndexSnapshot); !ok {
		return nil, errNotScorch
	}
	bm, err := q.x.visible(ctx, r, m, q.v, q.now)
	if err != nil {
		return nil, err
	}
	return &setSearcher{it: bm.Iterator(), count: bm.GetCardinality()}, nil
}

// visible is the set of doc numbers of a snapshot that a viewer may see at
// an instant. It is shared: only ever read it.
func (x *Index) visible(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, v access.Viewer, now time.Time) (*roaring64.Bitmap, error) {
	c := v.Class()
	set := x.acl.get(r, c)
	if set == nil {
		var err error
		if set, err = x.aclSetOf(ctx, r, m, v); err != nil {
			return nil, err
		}
		x.acl.put(r, c, set)
	}
	return set.at(now), nil
}

// aclTerms are the acl tokens a viewer may see, for docs with (sched
// "yes") or without ("no") a schedule.
func (x *Index) aclTerms(v access.Viewer, sched string) query.Query {
	auds := []string{audPublic}
	if !v.IsAnonymous() {
		auds = append(auds, audSignedIn)
		auds = append(auds, v.Roles...)
	}
	zones := append([]string{zoneAny}, v.Zones...)
	levels := []string{levelNone}
	if !v.IsAnonymous() {
		for i := 0; i <= slices.Index(x.levels, v.Level); i++ {
			levels = append(levels, x.levels[i])
		}
	}
	var terms []query.Query
	for _, a := range auds {
		for _, z := range zones {
			for _, l := range levels {
				t := query.NewTermQuery(a + "|" + z + "|" + l + "|" + sched)
				t.SetField("acl")
				terms = append(terms, t)
			}
		}
	}
	return query.NewDisjunctionQuery(terms)
}

// aclSetOf works out a viewer's set in a snapshot.
func (x *Index) aclSetOf(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, v access.Viewer) (*aclSet, error) {
	set := &aclSet{always: roaring64.New()}
	err := eachDoc(ctx, r, m, x.aclTerms(v, "no"), func(n uint64) { set.always.Add(n) })
	if err != nil {
		return nil, err
	}
	var timed []uint64
	if err := eachDoc(ctx, r, m, x.aclTerms(v, "yes"), func(n uint64) { timed = append(timed, n) }); err != nil {
		return nil, err
	}
	set.always.RunOptimize()
	if len(timed) == 0 {
		return set, nil
	}
	dv, err := r.DocValueReader([]string{"publish", "expire"})
	if err != nil {
		return nil, err
	}
	id := make(index.IndexInternalID, 8)
	for _, n := range timed {
		d := timedDoc{num: n, expire: farFuture}
		id.SetValue(n)
		err := dv.VisitDocValues(id, func(field string, term []byte) {
			pc := numeric.PrefixCoded(term)
			if shift, err := pc.Shift(); err != nil || shift != 0 {
				return // a lower-precision term of the same number
			}
			i, err := pc.Int64()
			if err != nil {
				return
			}
			switch field {
			case "publish":
				d.publish = numeric.Int64ToFloat64(i)
			case "expire":
				d.expire = numeric.Int64ToFloat64(i)
			}
		})
		if err != nil {
			return nil, err
		}
		set.timed = append(set.timed, d)
	}
	return set, nil
}

// eachDoc calls f with the doc number of every match of q.
func eachDoc(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, q query.Query, f func(uint64)) error {
	s, err := q.Searcher(ctx, r, m, search.SearcherOptions{})
	if err != nil {
		return err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: r}
	for {
		d, err := s.Next(sctx)
		if err != nil || d == nil {
			return err
		}
		f(d.IndexInternalID.Value())
		sctx.DocumentMatchPool.Put(d)
	}
}

// setSearcher walks a bitmap of doc numbers. It scores nothing: the rule
// decides what is seen, not how it ranks.
type setSearcher struct {
	it    roaring64.IntPeekable64
	count uint64
}

func (s *setSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.it.HasNext() {
		return nil, nil
	}
	d := ctx.DocumentMatchPool.Get()
	d.IndexInternalID = index.NewIndexInternalID(d.IndexInternalID, s.it.Next())
	return d, nil
}

func (s *setSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	s.it.AdvanceIfNeeded(id.Value())
	return s.Next(ctx)
}

func (s *setSearcher) Close() error               { return nil }
func (s *setSearcher) Weight() float64            { return 0 }
func (s *setSearcher) SetQueryNorm(float64)       {}
func (s *setSearcher) Count() uint64              { return s.count }
func (s *setSearcher) Min() int                   { return 0 }
func (s *setSearcher) Size() int                  { return 64 }
func (s *setSearcher) DocumentMatchPoolSize() int { return 1 }
