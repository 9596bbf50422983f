"""``regabi gocheck``: hold a Go tree's reflect and compiler to the spec (docs/gocheck.md)."""
