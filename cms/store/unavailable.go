package store

import "github.com/torg-cms/torg/cms/dberr"

// Unavailable tells whether err means the database could not be reached or
// was going away; see dberr.Unavailable.
func Unavailable(err error) bool { return dberr.Unavailable(err) }
