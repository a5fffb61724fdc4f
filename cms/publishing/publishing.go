// Package publishing is the editorial workflow for content written in the
// web editor: drafts, review and sign-off, revisions, unpublishing and
// uploads, each step with its audit entry. Its items reach readers through
// Source, the same way files do.
package publishing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
)

// Item is a piece of content written in the editor, with its workflow
// state. Its published revision is what readers see; a newer draft can
// wait for review beside it.
type Item struct {
	ID           int64
	Path         string // like a file: nyheter/julbord.md
	Status       string
	Version      int64 // goes up with every change; a stale save is refused
	AuthorID     string
	AuthorName   string // as it was when the item was made; "" for items older than names
	DraftRev     int64  // the revision being worked on (0: none)
	PublishedRev int64  // the revision readers see (0: none)
	ApprovedBy   string
	ApproverName string // as it was at the approval; "" for approvals older than names
	ApprovedAt   *time.Time
	Comment      string // the last reviewer's comment, or the unpublish reason
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Access is who may read the text being worked on (the draft, else
	// the published one), with what its sections give; set in lists.
	Access access.Rule
}

func itemOf(it *store.Item) *Item {
	return &Item{ID: it.ID, Path: it.Path, Status: it.Status, Version: it.Version, AuthorID: it.AuthorID, AuthorName: it.AuthorName, DraftRev: it.DraftRev,
		PublishedRev: it.PublishedRev, ApprovedBy: it.ApprovedBy, ApproverName: it.ApproverName, ApprovedAt: it.ApprovedAt, Comment: it.Comment, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

// stepped is the outcome of a change to an item, for the caller.
func stepped(it *store.Item, err error) (*Item, error) {
	if err != nil {
		return nil, err
	}
	return itemOf(it), nil
}

// Revision is one saved version of an item's Markdown.
type Revision struct {
	ID         int64
	ItemID     int64
	Markdown   string
	AuthorID   string
	AuthorName string // as it was at the save; "" for revisions older than names
	Note       string // what changed, in words
	CreatedAt  time.Time
}

// The states of an item.
const (
	StatusDraft       = store.StatusDraft
	StatusInReview    = store.StatusInReview
	StatusPublished   = store.StatusPublished
	StatusUnpublished = store.StatusUnpublished
)

// Actor is who does something, and from where (for the audit log).
type Actor = audit.Actor

// Errors of the workflow. Each carries a message a person understands.
var (
	ErrNotFound  = errors.New("no such item")
	ErrForbidden = errors.New("not allowed")
	ErrState     = errors.New("not possible in this state")
	ErrConflict  = store.ErrConflict
)

// Refusal is an error with its reason.
type Refusal struct {
	Kind   error
	Reason string
}

func (r *Refusal) Error() string { return r.Reason }
func (r *Refusal) Unwrap() error { return r.Kind }

func refuse(kind error, format string, args ...any) error {
	return &Refusal{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// needs refuses what, naming the roles that hold perm on this site.
func (s *Service) needs(what string, perm access.Permission) error {
	holders := s.policy.Holders(perm)
	if len(holders) == 0 {
		return refuse(ErrForbidden, "%s is not granted to any role on this site", what)
	}
	return refuse(ErrForbidden, "%s needs the role %s", what, strings.Join(holders, " or "))
}

// FieldErrors names what is wrong with each field.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	var parts []string
	for k, v := range fe {
		parts = append(parts, k+": "+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// Sites hands out the current site, whose sections give an item the access
// fields and editors it does not set itself.
type Sites interface {
	Current() *site.Site
}

// Service runs the workflow.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	audit  *audit.Log
	log    *slog.Logger
	opts   content.Options
	sites  Sites
	policy access.Policy
}

// New returns a Service. opts are the site's content options, used to check
// an item's Markdown exactly as it will be read; sites gives items what
// their sections say (nil: a site without sections, for tools and tests).
func New(db *store.DB, clk clock.Clock, log *slog.Logger, opts content.Options, sites Sites) *Service {
	return &Service{db: db, clock: clk, audit: audit.New(db, clk), log: log, opts: opts, sites: sites, policy: access.Policy{Levels: opts.Levels}}
}

// Grant says which roles hold the editorial permissions (access.DefaultGrants
// when nil); call it before the Service is used.
func (s *Service) Grant(g access.Grants) *Service {
	s.policy.Grants = g
	return s
}

// mayEdit applies the editorial rule to an item at path p under each of
// its texts (its draft and its published version): v must pass under all
// of them. An empty text stands for an item that sets nothing itself, so
// it is the rule of p's section.
func (s *Service) mayEdit(v access.Viewer, p string, texts ...string) bool {
	var st *site.Site
	if s.sites != nil {
		if st = s.sites.Current(); st == nil {
			return false // not built yet: what the sections say is unknown
		}
	}
	for _, md := range texts {
		ci, _ := content.ParseFile(p, []byte(md), s.opts)
		if ci == nil {
			ci, _ = content.ParseFile(p, nil, s.opts) // a text that no longer parses is not served; its section still rules
		}
		if ci == nil {
			return false
		}
		if st != nil {
			st.Inherit(ci)
		}
		if !s.policy.MayEdit(v, ci.Access, ci.Editors) {
			return false
		}
	}
	return true
}

// ruleOf is the access rule of the first text at p, with what its
// sections give.
func (s *Service) ruleOf(p string, texts ...string) access.Rule {
	md := ""
	if len(texts) > 0 {
		md = texts[0]
	}
	ci, _ := content.ParseFile(p, []byte(md), s.opts)
	if ci == nil {
		ci, _ = content.ParseFile(p, nil, s.opts)
	}
	if ci == nil {
		return access.Rule{}
	}
	if s.sites != nil {
		if st := s.sites.Current(); st != nil {
			st.Inherit(ci)
		}
	}
	return ci.Access
}

// Offered is true: the editor is there for those who may use it.
func (s *Service) Offered() bool { return true }

// MayWriteIn reports whether v may create items in the folder dir: the
// editorial rule under what a new item there inherits.
func (s *Service) MayWriteIn(v access.Viewer, dir string) bool {
	return s.policy.May(v, access.EditContent) && s.mayEdit(v, path.Join(dir, "new.md"), "")
}

// texts returns an item's draft and published Markdown, "" for those it has not.
func (s *Service) texts(ctx context.Context, it *store.Item) (draft, published string, err error) {
	if it.DraftRev > 0 {
		r, err := s.db.RevisionByID(ctx, it.DraftRev)
		if err != nil {
			return "", "", err
		}
		draft = r.Markdown
	}
	if it.PublishedRev > 0 {
		r, err := s.db.RevisionByID(ctx, it.PublishedRev)
		if err != nil {
			return "", "", err
		}
		published = r.Markdown
	}
	return draft, published, nil
}

// editable returns the item with its texts when v may work on it, and
// ErrNotFound, exactly as for an item that does not exist, when not.
func (s *Service) editable(ctx context.Context, v access.Viewer, id int64) (*store.Item, string, string, error) {
	it, err := s.item(ctx, id)
	if err != nil {
		return nil, "", "", err
	}
	draft, published, err := s.texts(ctx, it)
	if err != nil {
		return nil, "", "", err
	}
	if !s.mayEdit(v, it.Path, nonEmpty(draft, published)...) {
		return nil, "", "", ErrNotFound
	}
	return it, draft, published, nil
}

// nonEmpty keeps the texts an item has; none at all stands for its section's rule.
func nonEmpty(texts ...string) []string {
	var out []string
	for _, t := range texts {
		if t != "" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

var pathPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*(\.(sv|nb|nn|en))?\.md$`)

// check validates a path and Markdown as the content loader will read them.
func (s *Service) check(p, markdown string) error {
	fe := FieldErrors{}
	if !pathPattern.MatchString(p) || strings.Contains(p, "..") || path.Base(p) == "_index.md" {
		fe["path"] = "write the folder and name like nyheter/julbord.md: lower-case letters, digits and hyphens"
	}
	if len(markdown) > content.MaxFileSize {
		fe["markdown"] = "the text is too long"
	} else if _, probs := content.ParseFile(p, []byte(markdown), s.opts); probs.HasErrors() {
		var msgs []string
		for _, pr := range probs {
			if pr.Severity == content.Error {
				msgs = append(msgs, strings.TrimPrefix(pr.String(), p+":"))
			}
		}
		fe["markdown"] = strings.Join(msgs, "; ")
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

func (s *Service) item(ctx context.Context, id int64) (*store.Item, error) {
	it, err := s.db.ItemByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return it, err
}

// Create starts a new item as a draft.
func (s *Service) Create(ctx context.Context, a Actor, p, markdown string) (*Item, error) {
	if !s.policy.May(a.Viewer, access.EditContent) {
		return nil, s.needs("writing", access.EditContent)
	}
	if err := s.check(p, markdown); err != nil {
		return nil, err
	}
	// Both the section and the new item itself must be the writer's to look after.
	if !s.mayEdit(a.Viewer, p, "", markdown) {
		return nil, ErrNotFound
	}
	if _, err := s.db.ItemByPath(ctx, p); err == nil {
		return nil, FieldErrors{"path": "an item with this path exists; edit it instead"}
	}
	now := s.clock.Now().UTC()
	it := &store.Item{Path: p, Status: store.StatusDraft, Version: 1, AuthorID: a.Subject, AuthorName: a.Name, CreatedAt: now, UpdatedAt: now}
	rev := &store.Revision{Markdown: markdown, AuthorID: a.Subject, AuthorName: a.Name, Note: "created", CreatedAt: now}
	if err := s.audit.Record(ctx, a, "create", p, "", func(tx *store.DB) error { return tx.CreateItem(ctx, it, rev) }); err != nil {
		return nil, err
	}
	return itemOf(it), nil
}

// Save stores a new revision as the draft. A published item stays live as
// it was until the new draft is approved. version must be the item's
// current version; otherwise someone else saved first and ErrConflict says so.
func (s *Service) Save(ctx context.Context, a Actor, id, version int64, markdown, note string) (*Item, error) {
	if !s.policy.May(a.Viewer, access.EditContent) {
		return nil, s.needs("writing", access.EditContent)
	}
	it, _, _, err := s.editable(ctx, a.Viewer, id)
	if err != nil {
		return nil, err
	}
	if it.Status == store.StatusInReview {
		return nil, refuse(ErrState, "the item is in review; withdraw it before changing it")
	}
	if err := s.check(it.Path, markdown); err != nil {
		return nil, err
	}
	if it.Version != version {
		return nil, refuse(ErrConflict, "%s was changed by someone else since you opened it (version %d, now %d); reload it and make your change again", it.Path, version, it.Version)
	}
	now := s.clock.Now().UTC()
	rev := &store.Revision{ItemID: id, Markdown: markdown, AuthorID: a.Subject, AuthorName: a.Name, Note: note, CreatedAt: now}
	err = s.audit.Record(ctx, a, "save", it.Path, note, func(tx *store.DB) error {
		if err := tx.AddRevision(ctx, rev); err != nil {
			return err
		}
		it.DraftRev, it.Status, it.UpdatedAt = rev.ID, store.StatusDraft, now
		return tx.UpdateItem(ctx, it, version)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, refuse(ErrConflict, "%s was changed by someone else at the same moment; reload it and make your change again", it.Path)
	}
	if err != nil {
		return nil, err
	}
	return itemOf(it), nil
}

// transition changes an item's state after checks, in one step.
func (s *Service) transition(ctx context.Context, a Actor, id, version int64, action string, details string, f func(it *store.Item) error) (*store.Item, error) {
	if !s.policy.May(a.Viewer, access.EditContent) {
		return nil, s.needs("the editor", access.EditContent)
	}
	it, _, _, err := s.editable(ctx, a.Viewer, id)
	if err != nil {
		return nil, err
	}
	if it.Version != version {
		return nil, refuse(ErrConflict, "%s was changed since you loaded it (version %d, now %d); reload it", it.Path, version, it.Version)
	}
	if err := f(it); err != nil {
		return nil, err
	}
	it.UpdatedAt = s.clock.Now().UTC()
	err = s.audit.Record(ctx, a, action, it.Path, details, func(tx *store.DB) error { return tx.UpdateItem(ctx, it, version) })
	if errors.Is(err, store.ErrConflict) {
		return nil, refuse(ErrConflict, "%s was changed at the same moment; reload it", it.Path)
	} else if err != nil {
		return nil, err
	}
	return it, nil
}

// Submit sends the draft for review.
func (s *Service) Submit(ctx context.Context, a Actor, id, version int64) (*Item, error) {
	return stepped(s.transition(ctx, a, id, version, "submit", "", func(it *store.Item) error {
		if !s.policy.May(a.Viewer, access.EditContent) {
			return s.needs("submitting", access.EditContent)
		}
		if it.Status != store.StatusDraft || it.DraftRev == 0 {
			return refuse(ErrState, "only a draft can be sent for review; this item is %s", it.Status)
		}
		it.Status, it.Comment = store.StatusInReview, ""
		return nil
	}))
}

// Approve publishes the draft in review. The approver must be a publisher
// and must not have written the item or its draft.
func (s *Service) Approve(ctx context.Context, a Actor, id, version int64) (*Item, error) {
	return stepped(s.transition(ctx, a, id, version, "approve", "", func(it *store.Item) error {
		if !s.policy.May(a.Viewer, access.Approve) {
			return s.needs("approving", access.Approve)
		}
		if it.Status != store.StatusInReview {
			return refuse(ErrState, "only an item in review can be approved; this item is %s", it.Status)
		}
		rev, err := s.db.RevisionByID(ctx, it.DraftRev)
		if err != nil {
			return err
		}
		if a.Subject == it.AuthorID || a.Subject == rev.AuthorID {
			return refuse(ErrForbidden, "you cannot approve what you wrote yourself; ask another %s", strings.Join(s.policy.Holders(access.Approve), " or "))
		}
		now := s.clock.Now().UTC()
		it.PublishedRev, it.DraftRev, it.Status = it.DraftRev, 0, store.StatusPublished
		it.ApprovedBy, it.ApproverName, it.ApprovedAt, it.Comment = a.Subject, a.Name, &now, ""
		return nil
	}))
}

// Reject sends the draft back to its author with a comment, which is required.
func (s *Service) Reject(ctx context.Context, a Actor, id, version int64, comment string) (*Item, error) {
	return stepped(s.transition(ctx, a, id, version, "reject", comment, func(it *store.Item) error {
		if !s.policy.May(a.Viewer, access.Approve) {
			return s.needs("sending back", access.Approve)
		}
		if it.Status != store.StatusInReview {
			return refuse(ErrState, "only an item in review can be sent back; this item is %s", it.Status)
		}
		if c := strings.TrimSpace(comment); c == "" || len(c) > 2000 {
			return FieldErrors{"comment": "say what the author should change (up to 2,000 characters)"}
		}
		it.Status, it.Comment = store.StatusDraft, strings.TrimSpace(comment)
		return nil
	}))
}

// Withdraw takes the draft back from review: its author, or a publisher.
func (s *Service) Withdraw(ctx context.Context, a Actor, id, version int64) (*Item, error) {
	return stepped(s.transition(ctx, a, id, version, "withdraw", "", func(it *store.Item) error {
		if it.Status != store.StatusInReview {
			return refuse(ErrState, "only an item in review can be withdrawn; this item is %s", it.Status)
		}
		rev, err := s.db.RevisionByID(ctx, it.DraftRev)
		if err != nil {
			return err
		}
		if a.Subject != rev.AuthorID && a.Subject != it.AuthorID && !s.policy.May(a.Viewer, access.Approve) {
			return refuse(ErrForbidden, "only the author or a %s can withdraw an item", strings.Join(s.policy.Holders(access.Approve), " or "))
		}
		it.Status = store.StatusDraft
		return nil
	}))
}

// Unpublish takes a published item off the site, with a reason.
func (s *Service) Unpublish(ctx context.Context, a Actor, id, version int64, reason string) (*Item, error) {
	return stepped(s.transition(ctx, a, id, version, "unpublish", reason, func(it *store.Item) error {
		if !s.policy.May(a.Viewer, access.Approve) {
			return s.needs("unpublishing", access.Approve)
		}
		if it.PublishedRev == 0 || it.Status == store.StatusUnpublished {
			return refuse(ErrState, "the item is not published")
		}
		if r := strings.TrimSpace(reason); r == "" || len(r) > 2000 {
			return FieldErrors{"reason": "say why the item is taken down"}
		}
		it.Status, it.Comment = store.StatusUnpublished, strings.TrimSpace(reason)
		return nil
	}))
}

// ErrUnknownStep is returned by Step for a step the workflow does not have.
var ErrUnknownStep = errors.New("steps are submit, approve, reject, withdraw and unpublish")

// Step takes the review step named by step; note is the comment of a
// rejection or the reason of an unpublishing, and ignored otherwise.
func (s *Service) Step(ctx context.Context, a Actor, id, version int64, step, note string) (*Item, error) {
	switch step {
	case "submit":
		return s.Submit(ctx, a, id, version)
	case "approve":
		return s.Approve(ctx, a, id, version)
	case "reject":
		return s.Reject(ctx, a, id, version, note)
	case "withdraw":
		return s.Withdraw(ctx, a, id, version)
	case "unpublish":
		return s.Unpublish(ctx, a, id, version, note)
	}
	return nil, ErrUnknownStep
}

// Item returns an item with its draft and published Markdown, when v may
// work on it; ErrNotFound otherwise.
func (s *Service) Item(ctx context.Context, v access.Viewer, id int64) (*Item, string, string, error) {
	if !s.policy.May(v, access.EditContent) {
		return nil, "", "", ErrNotFound
	}
	it, draft, published, err := s.editable(ctx, v, id)
	if err != nil {
		return nil, "", "", err
	}
	return itemOf(it), draft, published, nil
}

// Items lists the items v may work on.
func (s *Service) Items(ctx context.Context, v access.Viewer) ([]Item, error) {
	if !s.policy.May(v, access.EditContent) {
		return nil, nil
	}
	items, err := s.db.Items(ctx)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, it := range items {
		draft, published, err := s.texts(ctx, &it)
		if err != nil {
			return nil, err
		}
		if s.mayEdit(v, it.Path, nonEmpty(draft, published)...) {
			item := itemOf(&it)
			item.Access = s.ruleOf(it.Path, nonEmpty(draft, published)...)
			out = append(out, *item)
		}
	}
	return out, nil
}

// Revisions lists an item's revisions, when v may work on it.
func (s *Service) Revisions(ctx context.Context, v access.Viewer, id int64) ([]Revision, error) {
	if !s.policy.May(v, access.EditContent) {
		return nil, ErrNotFound
	}
	if _, _, _, err := s.editable(ctx, v, id); err != nil {
		return nil, err
	}
	revs, err := s.db.Revisions(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Revision, len(revs))
	for i, r := range revs {
		out[i] = Revision{ID: r.ID, ItemID: r.ItemID, Markdown: r.Markdown, AuthorID: r.AuthorID, AuthorName: r.AuthorName, Note: r.Note, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// Now is the service's clock, for callers that stamp things.
func (s *Service) Now() time.Time { return s.clock.Now() }

// ItemIDs returns every item's id by the path of its file, for linking
// a page to where it is edited.
func (s *Service) ItemIDs(ctx context.Context) (map[string]int64, error) {
	items, err := s.db.Items(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(items))
	for _, it := range items {
		ids[it.Path] = it.ID
	}
	return ids, nil
}
