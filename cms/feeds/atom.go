package feeds

import (
	"cmp"
	"encoding/xml"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
)

// MaxEntries is how many news a feed holds, the newest first.
const MaxEntries = 30

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary,omitempty"`
	Content atomText `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// News is the Atom document of the news v may see on st at now. baseURL
// makes addresses absolute; self is the feed's own path; title names it.
func News(st *site.Site, v access.Viewer, now time.Time, baseURL, self, title string) ([]byte, error) {
	news := st.List(v, now, site.Query{Type: content.TypeNews})
	if len(news) > MaxEntries {
		news = news[:MaxEntries]
	}
	f := atomFeed{Title: title, ID: baseURL + "/nyheter", Links: []atomLink{{Href: baseURL + self, Rel: "self"}, {Href: baseURL + "/"}}}
	updated := time.Time{}
	for _, p := range news {
		when := p.Date
		if when.IsZero() {
			when = p.ModTime
		}
		if when.After(updated) {
			updated = when
		}
		f.Entries = append(f.Entries, atomEntry{Title: p.Title, ID: baseURL + p.URL, Updated: when.UTC().Format(time.RFC3339),
			Link: atomLink{Href: baseURL + p.URL}, Summary: p.Summary, Content: atomText{Type: "html", Body: p.Doc.HTML}})
	}
	if updated.IsZero() {
		updated = st.Built
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// SiteName is the title of the site's home page in its default language.
func SiteName(st *site.Site) string {
	return cmp.Or(st.Name(st.DefaultLang()), "Torg")
}
