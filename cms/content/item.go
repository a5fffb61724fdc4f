// Package content is Torg's content model: items with their front matter,
// the problems found in them, and the sources they come from.
package content

import (
	"fmt"
	"slices"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/hours"
)

// Type is the kind of an item, which picks its template and its listings.
type Type string

// The item types.
const (
	TypePage    Type = "page"
	TypeNews    Type = "news"
	TypeJob     Type = "job"
	TypeFAQ     Type = "faq"
	TypeContact Type = "contact"
)

// Types lists every known item type.
var Types = []Type{TypePage, TypeNews, TypeJob, TypeFAQ, TypeContact}

// Languages lists the content languages Torg knows: Swedish, Norwegian
// bokmål, Norwegian nynorsk and English.
var Languages = []string{"sv", "nb", "nn", "en"}

// Item is one piece of content, as authored, before rendering.
type Item struct {
	Source  string // name of the source it came from
	File    string // slash-separated path inside the source, e.g. "vikarie/boka-pass.md"
	Dir     string // the folder of File, "" at the root: the item's section
	IsIndex bool   // an _index file: the section's own title and intro
	URL     string // the path it is served at, e.g. "/vikarie/boka-pass"

	Title          string
	Summary        string
	Type           Type
	Lang           string
	Access         access.Rule
	Editors        []string // roles that look after a section's pages in the editor: set in its _index, inherited like access
	Tags           []string
	Date           time.Time
	Reviewed       time.Time
	Weight         int
	Aliases        []string
	TranslationKey string
	Params         map[string]any

	Job     *Job
	Contact *Contact

	// ImportantUntil keeps a news item at the top of the home page until then.
	ImportantUntil time.Time
	// ApprovedBy (a subject id), ApproverName (the name at the time, "" on
	// sign-offs older than names) and ApprovedAt record the sign-off of an
	// item written in the editor; files have none.
	ApprovedBy   string
	ApproverName string
	ApprovedAt   time.Time
	// EditorID is the editor's id of an item written there; files have 0.
	EditorID int64

	// Lines gives the file line of each front-matter field, for problems
	// found later (a duplicate alias, say).
	Lines map[string]int
	// Inherit names the access fields (and editors) the file did not set
	// itself, which it takes from the nearest section above it.
	Inherit   map[string]bool
	Body      []byte // Markdown after the front matter
	BodyLine  int    // the file's line number of the first body line
	Hash      string // of the whole file, for caches
	AllowHTML bool   // raw HTML in Body is kept (and sanitised) instead of escaped
	ModTime   time.Time
}

// Job holds the fields of a job ad.
type Job struct {
	ApplyBy time.Time `json:"apply_by"`
	Unit    string    `json:"unit,omitempty"`
	Extent  string    `json:"extent,omitempty"`
	Contact string    `json:"contact,omitempty"`
}

// Contact holds the fields of a contact card.
type Contact struct {
	Phone   string          `json:"phone,omitempty"`
	Email   string          `json:"email,omitempty"`
	Address string          `json:"address,omitempty"`
	Hours   *hours.Schedule `json:"-"`
}

// Severity tells whether a problem stops an item (Error) or is advice (Warning).
type Severity int

// The severities.
const (
	Warning Severity = iota
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Problem is something wrong in a file, with where it is.
type Problem struct {
	File     string
	Line     int
	Severity Severity
	Message  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Severity, p.Message)
	}
	return fmt.Sprintf("%s: %s: %s", p.File, p.Severity, p.Message)
}

// Problems is a list of problems.
type Problems []Problem

// HasErrors reports whether any problem is an error.
func (ps Problems) HasErrors() bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == Error })
}
