package main

import (
	"maps"
	"slices"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/config"
	cmscontent "github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
)

// siteSettings is what the site, its content and its access rule are
// built with. Every command takes them from siteSettingsOf, so a folder
// that one command accepts, every command accepts.
type siteSettings struct {
	Site    site.Options
	Content cmscontent.Options // for Markdown read outside the site's build: the editor's
	Policy  access.Policy
}

func siteSettingsOf(cfg *config.Config) siteSettings {
	policy := access.Policy{Levels: cfg.AuthLevels}
	return siteSettings{
		Site:    site.Options{DefaultLang: cfg.DefaultLang, Location: cfg.Location, Policy: policy},
		Content: cmscontent.Options{DefaultLang: cfg.DefaultLang, Location: cfg.Location, Levels: cfg.AuthLevels},
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
