package cli

import "github.com/spf13/cobra"

// modelsServingCmds returns 'sluice models serve' and 'sluice models predict'.
func (a *app) modelsServingCmds() []*cobra.Command { return nil }
