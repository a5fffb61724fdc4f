package search_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/search"
)

// BenchmarkSearchVsPostgres runs the same 1,000 queries, for the same
// viewers, over the same generated pages in Torg's index and in PostgreSQL
// full-text search (the swedish configuration, a GIN index over weighted
// title, summary and body, the access rule as a WHERE clause), one query
// at a time, in three rounds after a warm-up, and reports the p50 and p99
// of each over the 3,000:
//
//	go test ./search -run '^$' -bench SearchVsPostgres -benchtime 1x
//
// Both return the total, the ten best by rank and a highlighted snippet
// for each, and no facets. PostgreSQL gets plainto_tsquery (every word
// must match, or nothing is found); Torg's query does more (title, body,
// folded and keyword fields, a prefix for the last word, the parts of
// compounds; when every word finds nothing, all words but one, and then
// typos). PostgreSQL is queried over a loopback connection, as an
// application would; Torg in process, as it runs.
func BenchmarkSearchVsPostgres(b *testing.B) {
	docs := generate(b, *benchDocs)
	vocab := lexicon(b)
	x := settledIndex(b, docs)
	pg := loadPostgres(b, docs)
	viewers := []access.Viewer{
		{},
		{Subject: "s", Roles: []string{"substitute"}, Level: "password"},
		{Subject: "e", Roles: []string{"employee"}, Level: "eid", Zones: []string{"office"}},
		{Subject: "a", Roles: []string{"admin", "employee"}, Level: "eid"},
	}
	checkSameFilter(b, pg, docs, viewers)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	type asked struct {
		query  string
		viewer access.Viewer
	}
	r := rand.New(rand.NewPCG(3, 4))
	queries := make([]asked, 1000)
	for q := range queries {
		k := 1 + r.IntN(3)
		var terms []string
		for j := 0; j < k; j++ {
			terms = append(terms, vocab[r.IntN(10000)])
		}
		queries[q] = asked{strings.Join(terms, " "), viewers[r.IntN(len(viewers))]}
	}
	runTorg := func(out *[]time.Duration) {
		for _, q := range queries {
			t0 := time.Now()
			if _, err := x.Search(context.Background(), search.Request{Query: q.query, Viewer: q.viewer, Now: now, Limit: 10, NoFacets: true}); err != nil && !errors.Is(err, search.ErrBadQuery) {
				b.Fatal(err)
			}
			*out = append(*out, time.Since(t0))
		}
	}
	runPostgres := func(out *[]time.Duration) {
		for _, q := range queries {
			t0 := time.Now()
			pgSearch(b, pg, q.query, q.viewer)
			*out = append(*out, time.Since(t0))
		}
	}
	for i := 0; i < b.N; i++ {
		// A round of each to warm up, untimed; then three rounds of the
		// 1,000 queries each, the order of the two swapped every round, so
		// that neither always runs right after the other.
		var torg, postgres, warm []time.Duration
		runTorg(&warm)
		runPostgres(&warm)
		for round := 0; round < 3; round++ {
			if round%2 == 0 {
				runTorg(&torg)
				runPostgres(&postgres)
			} else {
				runPostgres(&postgres)
				runTorg(&torg)
			}
		}
		pct := func(l []time.Duration, p int) float64 {
			slices.Sort(l)
			return float64(l[len(l)*p/100].Microseconds()) / 1000
		}
		tp50, tp99, pp50, pp99 := pct(torg, 50), pct(torg, 99), pct(postgres, 50), pct(postgres, 99)
		b.ReportMetric(tp50, "torg-p50-ms")
		b.ReportMetric(tp99, "torg-p99-ms")
		b.ReportMetric(pp50, "pg-p50-ms")
		b.ReportMetric(pp99, "pg-p99-ms")
		fmt.Printf("search vs PostgreSQL: %d pages, 1000 queries × 3: Torg p50 %.2f ms p99 %.2f ms; PostgreSQL p50 %.2f ms p99 %.2f ms; Torg %.1f× faster at p50, %.1f× at p99\n",
			len(docs), tp50, tp99, pp50, pp99, pp50/tp50, pp99/tp99)
	}
}

// rank is a sign-in level's place, weakest first from 1; 0 for none.
func rank(level string) int {
	return slices.Index(access.DefaultLevels, level) + 1
}

func loadPostgres(b *testing.B, docs []search.Doc) *sql.DB {
	db, err := sql.Open("pgx", storetest.PostgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE docs (id text PRIMARY KEY, url text, title text, summary text, body text,
		audience text[] NOT NULL, min_rank int NOT NULL, zones text[] NOT NULL, tsv tsvector)`)
	const batch = 200
	for start := 0; start < len(docs); start += batch {
		var sb strings.Builder
		sb.WriteString("INSERT INTO docs (id, url, title, summary, body, audience, min_rank, zones) VALUES ")
		var args []any
		for i, d := range docs[start:min(start+batch, len(docs))] {
			if i > 0 {
				sb.WriteByte(',')
			}
			n := len(args)
			fmt.Fprintf(&sb, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, d.ID, d.URL, d.Title, d.Summary, d.Body, nonNil(d.Audience), rank(d.MinAuth), nonNil(d.Zones))
		}
		exec(sb.String(), args...)
	}
	exec(`UPDATE docs SET tsv = setweight(to_tsvector('swedish', title), 'A') ||
		setweight(to_tsvector('swedish', summary), 'B') || setweight(to_tsvector('swedish', body), 'C')`)
	exec(`CREATE INDEX docs_tsv ON docs USING gin (tsv)`)
	exec(`ANALYZE docs`)
	return db
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// visibleSQL is the access rule (access.Policy.Decide) for documents
// without a schedule: $1 anonymous, $2 roles, $3 level rank, $4 zones.
const visibleSQL = `(cardinality(zones) = 0 OR zones && $4::text[])
	AND ('public' = ANY(audience) OR (NOT $1::bool AND (cardinality(audience) = 0 OR audience && $2::text[]) AND min_rank <= $3::int))`

// checkSameFilter makes sure both sides let each viewer see the same
// documents, so the comparison is of search, not of permissions.
func checkSameFilter(b *testing.B, db *sql.DB, docs []search.Doc, viewers []access.Viewer) {
	policy := access.Policy{Levels: access.DefaultLevels}
	for _, v := range viewers {
		want := 0
		for _, d := range docs {
			if policy.Visible(v, access.Rule{Audience: d.Audience, MinAuth: d.MinAuth, Zones: d.Zones}, time.Now()) {
				want++
			}
		}
		var got int
		if err := db.QueryRow("SELECT count(*) FROM docs WHERE "+visibleSQL, v.IsAnonymous(), nonNil(v.Roles), rank(v.Level), nonNil(v.Zones)).Scan(&got); err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("viewer %+v: PostgreSQL's filter lets %d documents through, the access rule %d", v, got, want)
		}
	}
}

func pgSearch(b *testing.B, db *sql.DB, query string, v access.Viewer) {
	rows, err := db.Query(`WITH q AS (SELECT plainto_tsquery('swedish', $5) AS q),
		top AS (SELECT id, url, title, body, ts_rank(tsv, q.q) AS score, count(*) OVER () AS total
			FROM docs, q WHERE tsv @@ q.q AND `+visibleSQL+`
			ORDER BY score DESC LIMIT 10)
		SELECT id, url, title, ts_headline('swedish', body, q.q, 'MaxFragments=1, MaxWords=30, MinWords=15'), total
		FROM top, q ORDER BY score DESC`,
		v.IsAnonymous(), nonNil(v.Roles), rank(v.Level), nonNil(v.Zones), query)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, u, title, snippet string
		var total int
		if err := rows.Scan(&id, &u, &title, &snippet, &total); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}
