package app

import (
	"testing"

	"github.com/torg-cms/torg/cms/testenv"
)

// TestMain prints one line that says which tests were skipped, and why.
func TestMain(m *testing.M) { testenv.Main(m) }
