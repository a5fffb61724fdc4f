package publishing

import "github.com/torg-cms/torg/cms/access"

// Disabled is the editor switched off: nobody writes anywhere.
type Disabled struct{}

// Offered is false: there is no editor to link to.
func (Disabled) Offered() bool { return false }

// MayWriteIn is false.
func (Disabled) MayWriteIn(access.Viewer, string) bool { return false }
