//go:build tools

package pin

import (
	_ "github.com/cretz/bine/tor"
)
