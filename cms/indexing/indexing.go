// Package indexing turns the site's pages, their FAQ answers and the tiles
// into search documents.
package indexing

import (
	"maps"
	"slices"
	"strings"

	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
)

// section is the top folder of a page: the facet people filter by.
func section(dir string) string {
	top, _, _ := strings.Cut(dir, "/")
	return top
}

// Docs returns the documents for a site and a set of tiles.
func Docs(st *site.Site, set *tiles.Set) []search.Doc {
	var out []search.Doc
	if st != nil {
		for _, p := range st.ForIndex() {
			var keywords []string
			if p.Section != nil && p.Section.Dir != "" {
				keywords = append(keywords, p.Section.Title) // "Vikarieportalen" for the pages in it
			}
			base := search.Doc{
				Keywords: keywords,
				Kind:     "page", Type: string(p.Type), URL: p.URL, Title: p.Title, Summary: p.Summary,
				Body: p.Doc.Text, Tags: p.Tags, Section: section(p.Dir), Lang: p.Lang, Date: p.Date,
				Audience: p.Access.Audience, MinAuth: p.Access.MinAuth, Zones: p.Access.Zones,
				PublishAt: p.Access.PublishAt, ExpireAt: p.Access.ExpireAt,
			}
			d := base
			d.ID = "page:" + p.URL
			out = append(out, d)
			if p.Type != content.TypeFAQ {
				continue
			}
			for _, qa := range p.Doc.FAQ {
				f := base
				f.ID, f.Kind, f.Type = "faq:"+p.URL+"#"+qa.ID, "faq", "faq"
				f.URL, f.Title, f.Summary, f.Body = p.URL+"#"+qa.ID, qa.Question, p.Title, qa.Text
				out = append(out, f)
			}
		}
	}
	if set != nil {
		defaultLang := content.Languages[0]
		if st != nil {
			defaultLang = st.DefaultLang()
		}
		for _, t := range set.Tiles {
			lang := tileLang(t, defaultLang)
			out = append(out, search.Doc{
				ID: "tile:" + t.ID, Kind: "tile", Type: "tile", URL: "/go/" + t.ID,
				Title: t.Title.In(lang, "en"), Titles: t.Title,
				Summary: t.Description.In(lang, "en"), Summaries: t.Description,
				Keywords: t.Keywords, Lang: lang, Section: t.Category,
				Audience: t.Audience, MinAuth: t.MinAuth, Zones: t.Zones,
			})
		}
	}
	return out
}

// tileLang is the language a tile's hit is shown in: the site's default
// language when the tile has a title in it, else the first it has; its
// other languages are indexed beside it.
func tileLang(t *tiles.Tile, defaultLang string) string {
	if t.Title[defaultLang] != "" {
		return defaultLang
	}
	for _, lang := range slices.Sorted(maps.Keys(t.Title)) {
		if t.Title[lang] != "" {
			return lang
		}
	}
	return defaultLang
}
