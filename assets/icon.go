package assets

import _ "embed"

// Icon is the application icon (PNG, 512×512).
//
//go:embed icon.png
var Icon []byte
