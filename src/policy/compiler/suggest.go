package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// suggestion is " (did you mean "x"?)" for the nearest known name, or the list of names.
func suggestion(name string, known []string) string {
	sort.Strings(known)
	best, bestDist := "", 0
	for _, k := range known {
		if d := levenshtein.ComputeDistance(name, k); best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" && bestDist <= max(2, max(len(name), len(best))/2) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(known) == 0 {
		return ""
	}
	return fmt.Sprintf("; it has: %s", strings.Join(known, ", "))
}
