package app

import (
	"maps"
	"slices"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
)

// Settings is what the site, its content and its access rule are built
// with, all taken from one configuration, so that a folder one command
// accepts, every command accepts.
type Settings struct {
	Site    site.Options
	Content content.Options // for Markdown read outside the site's build: the editor's
	Policy  access.Policy
}

// SettingsOf derives the Settings from the configuration.
func SettingsOf(cfg *config.Config) Settings {
	policy := access.Policy{Levels: cfg.AuthLevels, Grants: cfg.Grants}
	return Settings{
		Site:    site.Options{DefaultLang: cfg.DefaultLang, Location: cfg.Location, Policy: policy},
		Content: content.Options{DefaultLang: cfg.DefaultLang, Location: cfg.Location, Levels: cfg.AuthLevels},
		Policy:  policy,
	}
}

// knownRoles are the roles sign-in can give: the default ones and those
// the provider's groups map to.
func knownRoles(m auth.RoleMapping) []string {
	roles := slices.Concat(m.Default, slices.Collect(maps.Values(m.Map)))
	slices.Sort(roles)
	return slices.Compact(roles)
}
