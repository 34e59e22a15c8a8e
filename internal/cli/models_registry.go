package cli

import "github.com/spf13/cobra"

// modelsRegistryCmds returns the registry subcommands of 'sluice models'.
func (a *app) modelsRegistryCmds() []*cobra.Command { return nil }
