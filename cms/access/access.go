// Package access holds the one rule that decides who sees what. Pages, the
// API, listings, search, feeds and counts all ask it; nothing filters by
// itself.
package access

import (
	"slices"
	"strings"
	"time"
)

// Public is the audience value that makes an item readable without signing in.
const Public = "public"

// DefaultLevels is the order of sign-in levels when none is configured,
// weakest first.
var DefaultLevels = []string{"password", "otp", "eid"}

// Viewer is the person asking: anonymous when Subject is empty.
type Viewer struct {
	Subject string
	Name    string
	Roles   []string
	Level   string   // the named sign-in level of the session
	Zones   []string // the network zones the client address belongs to
}

// Anonymous is the viewer who has not signed in.
var Anonymous = Viewer{}

// IsAnonymous reports whether the viewer has not signed in.
func (v Viewer) IsAnonymous() bool { return v.Subject == "" }

// Class is what the access rule looks at in a viewer — signed in or not,
// level, roles and zones, in any order — as one string: viewers of one
// class see the same things, so what is worked out for one (a filter, a
// rendered page) holds for all of them.
func (v Viewer) Class() string {
	roles, zones := slices.Clone(v.Roles), slices.Clone(v.Zones)
	slices.Sort(roles)
	slices.Sort(zones)
	anon := "signed-in"
	if v.IsAnonymous() {
		anon = "anonymous"
	}
	return anon + "\x00" + v.Level + "\x00" + strings.Join(roles, "\x01") + "\x00" + strings.Join(zones, "\x01")
}

// HasRole reports whether the viewer holds role.
func (v Viewer) HasRole(role string) bool { return slices.Contains(v.Roles, role) }

// Rule is what an item says about who may see it and when.
type Rule struct {
	Audience  []string  // roles allowed; empty = every signed-in user; "public" = anyone
	MinAuth   string    // the weakest sign-in level allowed; empty = any
	Zones     []string  // network zones allowed; empty = anywhere
	Draft     bool      // never shown
	PublishAt time.Time // zero = at once
	ExpireAt  time.Time // zero = never
}

// IsPublic reports whether the rule lets anyone read without signing in.
func (r Rule) IsPublic() bool { return slices.Contains(r.Audience, Public) }

// Decision is the outcome of the rule for one viewer, item and moment.
type Decision int

const (
	// Allow: the viewer may see the item.
	Allow Decision = iota
	// SignIn: the viewer is anonymous and must sign in first. It is also the
	// answer for items that do not exist or are hidden, so an anonymous
	// visitor cannot tell them apart.
	SignIn
	// StepUp: the viewer may see the item after signing in at a stronger level.
	StepUp
	// Hidden: the item does not exist for this viewer.
	Hidden
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case SignIn:
		return "sign-in"
	case StepUp:
		return "step-up"
	default:
		return "hidden"
	}
}

// Policy applies the rule. Levels orders the sign-in levels, weakest
// first; Grants says which roles hold which permission (DefaultGrants when
// nil).
type Policy struct {
	Levels []string
	Grants Grants
}

// Rank returns the position of level among the policy's levels, -1 when unknown.
func (p Policy) Rank(level string) int {
	levels := p.Levels
	if levels == nil {
		levels = DefaultLevels
	}
	return slices.Index(levels, level)
}

// Live reports whether the item's schedule shows it at now.
func (r Rule) Live(now time.Time) bool {
	if r.Draft {
		return false
	}
	if !r.PublishAt.IsZero() && now.Before(r.PublishAt) {
		return false
	}
	if !r.ExpireAt.IsZero() && !now.Before(r.ExpireAt) {
		return false
	}
	return true
}

// Decide is the one access rule.
func (p Policy) Decide(v Viewer, r Rule, now time.Time) Decision {
	hidden := Hidden
	if v.IsAnonymous() {
		hidden = SignIn
	}
	if !r.Live(now) {
		return hidden
	}
	if len(r.Zones) > 0 && !intersects(v.Zones, r.Zones) {
		return hidden
	}
	if r.IsPublic() {
		return Allow
	}
	if v.IsAnonymous() {
		return SignIn
	}
	if len(r.Audience) > 0 && !intersects(v.Roles, r.Audience) {
		return Hidden
	}
	if r.MinAuth != "" && p.Rank(v.Level) < p.Rank(r.MinAuth) {
		return StepUp
	}
	return Allow
}

// Visible reports whether the viewer may see the item now.
func (p Policy) Visible(v Viewer, r Rule, now time.Time) bool {
	return p.Decide(v, r, now) == Allow
}

// Permission names something a person may do beyond reading. Handlers and
// services ask for a permission, never for a role; Grants says which roles
// hold it.
type Permission string

// The permissions. Routes declare the one they need.
const (
	// EditContent: work in the editor, write and submit items, upload
	// images. Which items is the editorial rule, MayEdit.
	EditContent Permission = "edit-content"
	// Approve: publish, unpublish and send back what writers submit.
	Approve Permission = "approve"
	// ViewReports: the content-health report, readers' feedback and the
	// search statistics, for the items the editorial rule lets one edit.
	ViewReports Permission = "view-reports"
	// PostNotice: put a notice on a tile ("closed for maintenance").
	PostNotice Permission = "post-notice"
	// ManageTiles: create, change and remove tiles and see their clicks.
	ManageTiles Permission = "manage-tiles"
	// ViewAudit: read the audit log.
	ViewAudit Permission = "view-audit"
)

// Permissions lists every permission, in the order of their declaration.
var Permissions = []Permission{EditContent, Approve, ViewReports, PostNotice, ManageTiles, ViewAudit}

// Grants maps each permission to the roles that hold it.
type Grants map[Permission][]string

// DefaultGrants is the one table of who may do what, used when a policy
// names no other.
var DefaultGrants = Grants{
	EditContent: {"communicator", "publisher", "admin"},
	Approve:     {"publisher", "admin"},
	ViewReports: {"communicator", "publisher", "admin"},
	PostNotice:  {"communicator", "publisher", "admin"},
	ManageTiles: {"admin"},
	ViewAudit:   {"admin"},
}

// Roles are the roles that hold any permission, sorted.
func (g Grants) Roles() []string {
	var out []string
	for _, roles := range g {
		out = append(out, roles...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// grants is the policy's table, DefaultGrants when it names none.
func (p Policy) grants() Grants {
	if p.Grants == nil {
		return DefaultGrants
	}
	return p.Grants
}

// May reports whether v, signed in, holds a role that grants perm.
func (p Policy) May(v Viewer, perm Permission) bool {
	return !v.IsAnonymous() && intersects(v.Roles, p.grants()[perm])
}

// Holders are the roles that grant perm.
func (p Policy) Holders(perm Permission) []string { return p.grants()[perm] }

// Privileged are the roles that hold any permission.
func (p Policy) Privileged() []string { return p.grants().Roles() }

// MayEdit is the editorial rule: whether v may read and change an item in
// the editor, see its revisions, and see what readers and reports say about
// it. v needs the EditContent permission, and either may read the item under r or
// holds one of editors, the roles named responsible for its section (nil
// names nobody beyond its readers). The item's sign-in level and zones
// apply either way; its schedule does not, since editors work on drafts and
// on what is yet to be published.
func (p Policy) MayEdit(v Viewer, r Rule, editors []string) bool {
	if !p.May(v, EditContent) {
		return false
	}
	if len(r.Zones) > 0 && !intersects(v.Zones, r.Zones) {
		return false
	}
	if r.MinAuth != "" && p.Rank(v.Level) < p.Rank(r.MinAuth) {
		return false
	}
	if r.IsPublic() || len(r.Audience) == 0 || intersects(v.Roles, r.Audience) {
		return true
	}
	return intersects(v.Roles, editors)
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Wider names the fields ("audience", "min_auth", "zones") in which r lets
// in a reader that limit keeps out: a role limit does not name, a weaker
// sign-in level than limit's, or a zone outside limit's. A translated
// section may narrow the access of the folder it translates, never widen it.
func (p Policy) Wider(r, limit Rule) []string {
	var out []string
	switch {
	case limit.IsPublic():
	case r.IsPublic(), len(limit.Audience) > 0 && (len(r.Audience) == 0 || !subset(r.Audience, limit.Audience)):
		out = append(out, "audience")
	}
	if limit.MinAuth != "" && p.Rank(r.MinAuth) < p.Rank(limit.MinAuth) {
		out = append(out, "min_auth")
	}
	if len(limit.Zones) > 0 && (len(r.Zones) == 0 || !subset(r.Zones, limit.Zones)) {
		out = append(out, "zones")
	}
	return out
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
