package site

import (
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
)

// Name is the site's name on the home page of lang: the title of that
// home page, else of the default language's; "" when lang has no home or
// neither names one.
func (s *Site) Name(lang string) string {
	home := s.Home(lang)
	if home == nil {
		return ""
	}
	if home.Index != nil {
		return home.Index.Title
	}
	if def := s.Home(s.DefaultLang()); def != nil && def.Index != nil {
		return def.Index.Title
	}
	return ""
}

// ListingURL is the address of the section that lists items of type t in
// lang, if v may see it; "" when there is none.
func (s *Site) ListingURL(v access.Viewer, now time.Time, lang string, t content.Type) string {
	for _, sec := range s.Sections(v, now) {
		if sec.Index != nil && sec.Index.Type == t && sec.Lang == lang {
			return sec.URL
		}
	}
	return ""
}

// Latest is at most n of the items of type t in lang that v may see, in
// listing order; news marked important (until a time still to come) come
// first, keeping the order within each group.
func (s *Site) Latest(v access.Viewer, now time.Time, t content.Type, lang string, n int) []*Page {
	ps := s.List(v, now, Query{Type: t, Lang: lang})
	if t == content.TypeNews {
		important := make([]*Page, 0, len(ps))
		for _, p := range ps {
			if p.ImportantUntil.After(now) {
				important = append(important, p)
			}
		}
		for _, p := range ps {
			if !p.ImportantUntil.After(now) {
				important = append(important, p)
			}
		}
		ps = important
	}
	if len(ps) > n {
		ps = ps[:n]
	}
	return ps
}
