//go:build tools

// Package pins records the version of the cosign test tool that scripts/tools.json pins, so that
// the update bot can propose a new one (test/e2e/update-bot.test.ts keeps the two equal).
package pins

import _ "github.com/sigstore/cosign/v3/cmd/cosign"
