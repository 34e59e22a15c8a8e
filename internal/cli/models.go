package cli

import "github.com/spf13/cobra"

// modelsCmd groups the model registry commands (models_registry.go) and
// the serving and batch-scoring commands (models_serving.go).
func (a *app) modelsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "Registered models: list, show, aliases, serve, predict",
		Example: `  sluice models list
  sluice models serve models:/churn@champion --addr 127.0.0.1:5001
  sluice models predict models:/churn/1 --table churn.test --into churn.scored`,
	}
	cmd.AddCommand(a.modelsRegistryCmds()...)
	cmd.AddCommand(a.modelsServingCmds()...)
	return cmd
}
