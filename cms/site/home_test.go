package site

import (
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/content"
)

// TestHomeQueries: a language without a home of its own takes the
// default language's name, important news come first until their date passes, and a
// listing is found only in its language and for those who may see it.
func TestHomeQueries(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, stockholm)
	s, _, _ := build(t, `
-- _index.md --
---
title: Intranätet
audience: [public]
---
-- en/_index.md --
---
title: The intranet
audience: [public]
---
-- nyheter/_index.md --
---
title: Nyheter
type: news
audience: [public]
---
-- nyheter/a.md --
---
title: A
type: news
date: 2026-11-22
audience: [public]
---
-- nyheter/b.md --
---
title: B
type: news
date: 2026-11-21
audience: [public]
---
-- nyheter/c.md --
---
title: C
type: news
date: 2026-11-20
important_until: 2026-11-30
audience: [public]
---
-- nyheter/d.md --
---
title: D
type: news
date: 2026-11-19
important_until: 2026-11-01
audience: [public]
---
-- jobb/_index.md --
---
title: Lediga jobb
type: job
---
`, now)
	if got := s.Name("sv"); got != "Intranätet" {
		t.Errorf("name in sv: %q", got)
	}
	if got := s.Name("en"); got != "The intranet" {
		t.Errorf("name in en: %q", got)
	}
	if got := s.Name("nn"); got != "Intranätet" {
		t.Errorf("name in a language without a home of its own: %q", got)
	}
	if got := urls(s.Latest(anon, now, content.TypeNews, "sv", 3)); len(got) != 3 || got[0] != "/nyheter/c" || got[1] != "/nyheter/a" || got[2] != "/nyheter/b" {
		t.Errorf("latest news: %v", got)
	}
	if got := s.ListingURL(anon, now, "sv", content.TypeNews); got != "/nyheter" {
		t.Errorf("news listing: %q", got)
	}
	if got := s.ListingURL(anon, now, "en", content.TypeNews); got != "" {
		t.Errorf("news listing in English: %q", got)
	}
	if got := s.ListingURL(anon, now, "sv", content.TypeJob); got != "" {
		t.Errorf("job listing shown to an anonymous reader: %q", got)
	}
	if got := s.ListingURL(employee, now, "sv", content.TypeJob); got != "/jobb" {
		t.Errorf("job listing for an employee: %q", got)
	}
}
