package tracking

import (
	"math/rand/v2"
	"strconv"
)

// Word lists for generated run names ("brave-owl-417"), in the spirit of
// MLflow's "adjective-animal-number" names.
var (
	nameAdjectives = []string{
		"amber", "bold", "brave", "bright", "calm", "clever", "cool", "crisp", "daring", "eager",
		"fair", "fast", "fierce", "gentle", "glad", "golden", "grand", "happy", "keen", "kind",
		"lively", "lucky", "merry", "mighty", "nimble", "noble", "polite", "proud", "quick", "quiet",
		"rare", "shy", "silent", "silver", "sleek", "smart", "steady", "sunny", "swift", "tidy",
		"vivid", "warm", "wise", "witty", "zesty",
	}
	nameAnimals = []string{
		"ant", "bat", "bear", "bee", "bison", "boar", "carp", "cat", "crab", "crane",
		"crow", "deer", "dove", "duck", "eel", "elk", "finch", "fox", "frog", "goat",
		"hare", "hawk", "heron", "horse", "ibis", "jay", "koala", "lark", "lynx", "mink",
		"mole", "moth", "newt", "otter", "owl", "panda", "quail", "ram", "seal", "shrew",
		"snail", "swan", "toad", "trout", "wasp", "whale", "wolf", "wren", "yak", "zebra",
	}
)

// randomRunName returns a name such as "brave-owl-417".
func randomRunName() string {
	return nameAdjectives[rand.IntN(len(nameAdjectives))] + "-" +
		nameAnimals[rand.IntN(len(nameAnimals))] + "-" + strconv.Itoa(rand.IntN(1000))
}
