package access

import (
	"slices"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	sub := Viewer{Subject: "s1", Roles: []string{"substitute", "employee"}, Level: "password"}
	eid := Viewer{Subject: "e1", Roles: []string{"employee"}, Level: "eid", Zones: []string{"office"}}
	p := Policy{}
	tests := []struct {
		name string
		v    Viewer
		r    Rule
		want Decision
	}{
		{"public item, anonymous", Anonymous, Rule{Audience: []string{Public}}, Allow},
		{"public item, signed in", sub, Rule{Audience: []string{Public}}, Allow},
		{"signed-in item, anonymous", Anonymous, Rule{}, SignIn},
		{"signed-in item, any user", sub, Rule{}, Allow},
		{"role item, holder", sub, Rule{Audience: []string{"substitute"}}, Allow},
		{"role item, other role", eid, Rule{Audience: []string{"substitute"}}, Hidden},
		{"role item, anonymous", Anonymous, Rule{Audience: []string{"substitute"}}, SignIn},
		{"level too low", sub, Rule{MinAuth: "eid"}, StepUp},
		{"level enough", eid, Rule{MinAuth: "otp"}, Allow},
		{"unknown viewer level is weakest", Viewer{Subject: "x"}, Rule{MinAuth: "password"}, StepUp},
		{"zone outside", sub, Rule{Zones: []string{"office"}}, Hidden},
		{"zone inside", eid, Rule{Zones: []string{"office"}}, Allow},
		{"public item needing zone, anonymous outside", Anonymous, Rule{Audience: []string{Public}, Zones: []string{"office"}}, SignIn},
		{"draft", eid, Rule{Draft: true}, Hidden},
		{"draft public, anonymous", Anonymous, Rule{Draft: true, Audience: []string{Public}}, SignIn},
		{"not yet published", eid, Rule{PublishAt: now.Add(time.Minute)}, Hidden},
		{"published this minute", eid, Rule{PublishAt: now}, Allow},
		{"expired this minute", eid, Rule{ExpireAt: now}, Hidden},
		{"expires next minute", eid, Rule{ExpireAt: now.Add(time.Minute)}, Allow},
		{"role check before level: no step-up offered to the wrong role", eid, Rule{Audience: []string{"admin"}, MinAuth: "eid"}, Hidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Decide(tt.v, tt.r, now); got != tt.want {
				t.Fatalf("Decide = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScheduleTurnsAtTheMinute(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	r := Rule{Audience: []string{Public}, PublishAt: at, ExpireAt: at.Add(time.Hour)}
	p := Policy{}
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{at.Add(-time.Second), false},
		{at, true},
		{at.Add(59 * time.Minute), true},
		{at.Add(time.Hour), false},
	} {
		if got := p.Visible(Anonymous, r, c.now); got != c.want {
			t.Errorf("at %v visible=%v want %v", c.now, got, c.want)
		}
	}
}

// Viewers who differ only in the order of their roles or zones, or in who
// they are, are one class; any difference the rule looks at is another.
func TestClass(t *testing.T) {
	a := Viewer{Subject: "a", Name: "A", Roles: []string{"employee", "admin"}, Level: "eid", Zones: []string{"office", "school"}}
	same := Viewer{Subject: "b", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"school", "office"}}
	if a.Class() != same.Class() {
		t.Errorf("%q and %q should be one class", a.Class(), same.Class())
	}
	for name, other := range map[string]Viewer{
		"anonymous":    {Level: "eid", Roles: a.Roles, Zones: a.Zones},
		"level":        {Subject: "a", Roles: a.Roles, Level: "password", Zones: a.Zones},
		"fewer roles":  {Subject: "a", Roles: []string{"employee"}, Level: "eid", Zones: a.Zones},
		"no zones":     {Subject: "a", Roles: a.Roles, Level: "eid"},
		"role as zone": {Subject: "a", Roles: []string{"employee"}, Level: "eid", Zones: []string{"admin", "office", "school"}},
	} {
		if other.Class() == a.Class() {
			t.Errorf("%s: same class as %+v", name, a)
		}
	}
	if a.Roles[0] != "employee" || a.Zones[0] != "office" {
		t.Error("Class reordered the viewer's own roles or zones")
	}
}

func TestWiderNamesWhatLetsMoreReadersIn(t *testing.T) {
	p := Policy{}
	roles := func(r ...string) []string { return r }
	tests := []struct {
		name     string
		r, limit Rule
		want     []string
	}{
		{"same", Rule{Audience: roles("substitute"), MinAuth: "otp", Zones: roles("office")}, Rule{Audience: roles("substitute"), MinAuth: "otp", Zones: roles("office")}, nil},
		{"nothing set on either side", Rule{}, Rule{}, nil},
		{"fewer roles", Rule{Audience: roles("manager")}, Rule{Audience: roles("substitute", "manager")}, nil},
		{"another role", Rule{Audience: roles("employee")}, Rule{Audience: roles("substitute")}, []string{"audience"}},
		{"every signed-in reader instead of roles", Rule{}, Rule{Audience: roles("substitute")}, []string{"audience"}},
		{"public instead of signed-in", Rule{Audience: roles(Public)}, Rule{}, []string{"audience"}},
		{"roles under a public limit", Rule{Audience: roles("admin")}, Rule{Audience: roles(Public)}, nil},
		{"stronger level", Rule{MinAuth: "eid"}, Rule{MinAuth: "otp"}, nil},
		{"weaker level", Rule{MinAuth: "password"}, Rule{MinAuth: "otp"}, []string{"min_auth"}},
		{"no level under a level", Rule{}, Rule{MinAuth: "otp"}, []string{"min_auth"}},
		{"fewer zones", Rule{Zones: roles("office")}, Rule{Zones: roles("office", "vpn")}, nil},
		{"anywhere instead of a zone", Rule{}, Rule{Zones: roles("office")}, []string{"zones"}},
		{"another zone", Rule{Zones: roles("vpn")}, Rule{Zones: roles("office")}, []string{"zones"}},
		{"all three", Rule{Audience: roles(Public)}, Rule{Audience: roles("admin"), MinAuth: "eid", Zones: roles("office")}, []string{"audience", "min_auth", "zones"}},
	}
	for _, tt := range tests {
		if got := p.Wider(tt.r, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMayEdit(t *testing.T) {
	klara := Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "password"}
	klaraEID := Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "eid", Zones: []string{"office"}}
	anna := Viewer{Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}}
	erik := Viewer{Subject: "erik", Roles: []string{"employee", "substitute"}, Level: "eid", Zones: []string{"office"}}
	adminOnly := Rule{Audience: []string{"admin"}, MinAuth: "eid", Zones: []string{"office"}}
	substitutes := Rule{Audience: []string{"substitute"}}
	subsEID := Rule{Audience: []string{"substitute"}, MinAuth: "eid"}
	communicators := []string{"communicator"}
	p := Policy{}
	tests := []struct {
		name    string
		v       Viewer
		r       Rule
		editors []string
		want    bool
	}{
		{"anonymous never edits", Anonymous, Rule{Audience: []string{Public}}, communicators, false},
		{"reader without an editorial role", erik, substitutes, nil, false},
		{"reader without an editorial role, named responsible", erik, substitutes, []string{"substitute"}, false},
		{"communicator, page for every employee", klara, Rule{Audience: []string{"employee"}}, nil, true},
		{"communicator, page for every signed-in person", klara, Rule{}, nil, true},
		{"communicator, public page", klara, Rule{Audience: []string{Public}}, nil, true},
		{"communicator at password, admin-only eid office page", klara, adminOnly, nil, false},
		{"communicator at eid in the office, admin-only page", klaraEID, adminOnly, nil, false},
		{"admin at eid in the office, admin-only page", anna, adminOnly, nil, true},
		{"admin outside the zone", Viewer{Subject: "anna", Roles: anna.Roles, Level: "eid"}, adminOnly, nil, false},
		{"admin below the level", Viewer{Subject: "anna", Roles: anna.Roles, Level: "otp", Zones: anna.Zones}, adminOnly, nil, false},
		{"communicator, substitutes' page, not responsible", klara, substitutes, nil, false},
		{"communicator, substitutes' page, another role responsible", klara, substitutes, []string{"publisher"}, false},
		{"communicator responsible for the substitutes' pages", klara, substitutes, communicators, true},
		{"responsible, but the page needs eid", klara, subsEID, communicators, false},
		{"responsible at eid", klaraEID, subsEID, communicators, true},
		{"responsible, but outside the page's zone", klara, Rule{Audience: []string{"substitute"}, Zones: []string{"office"}}, communicators, false},
		{"schedule does not matter: a draft", klara, Rule{Draft: true}, nil, true},
		{"schedule does not matter: expired", klara, Rule{ExpireAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.MayEdit(tt.v, tt.r, tt.editors); got != tt.want {
				t.Fatalf("MayEdit = %v, want %v", got, tt.want)
			}
		})
	}
}

// Permissions follow the policy's table: the default one, or another that
// gives them to other roles.
func TestMayFollowsGrants(t *testing.T) {
	klara := Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}}
	anna := Viewer{Subject: "anna", Roles: []string{"admin"}}
	red := Viewer{Subject: "red", Roles: []string{"redaktor"}}
	def := Policy{}
	for _, c := range []struct {
		v    Viewer
		perm Permission
		want bool
	}{
		{klara, EditContent, true}, {klara, ViewReports, true}, {klara, PostNotice, true},
		{klara, Approve, false}, {klara, ManageTiles, false}, {klara, ViewAudit, false},
		{anna, Approve, true}, {anna, ManageTiles, true}, {anna, ViewAudit, true},
		{red, EditContent, false},
		{Viewer{Roles: []string{"admin"}}, ManageTiles, false}, // not signed in
	} {
		if got := def.May(c.v, c.perm); got != c.want {
			t.Errorf("default: %v may %s = %v", c.v.Roles, c.perm, got)
		}
	}
	own := Policy{Grants: Grants{EditContent: {"redaktor"}}}
	if !own.May(red, EditContent) || own.May(klara, EditContent) || own.May(anna, ManageTiles) {
		t.Error("a policy's own table replaces the default one")
	}
	if !own.MayEdit(red, Rule{}, nil) || own.MayEdit(klara, Rule{}, nil) {
		t.Error("the editorial rule asks the policy's table for EditContent")
	}
	if got := def.Privileged(); !slices.Equal(got, []string{"admin", "communicator", "publisher"}) {
		t.Errorf("Privileged = %v", got)
	}
}
