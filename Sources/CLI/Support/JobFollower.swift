import Protocol

/// Follows an accepted backup or restore job: prints each step as it is stored (table output), then
/// reads how the job ended; a job that did not succeed is an error with its failure's code and status.
enum JobFollower {
    /// Runs `submit`, then follows the job it answers unless `detach`; prints the outcome.
    static func run(_ settings: ClientSettings, context: CommandContext, output: OutputFormat, detach: Bool, doing: String,
                    submit: (APIClient) async throws -> BackupAccepted) async throws {
        let (accepted, ended) = try await APIClient.withClient(settings) { client -> (BackupAccepted, JobResource?) in
            let accepted = try await submit(client)
            if detach { return (accepted, nil) }
            try await client.lines(accepted.progress) { data in
                guard output == .table, let step = try? WireCoding.decoder.decode(JobStepResource.self, from: data) else { return }
                context.console.write(step.message + "\n")
            }
            return (accepted, try await client.get(APIPaths.job(accepted.job.id), as: JobResource.self))
        }
        switch output {
        case .json: context.console.write(try JSONOutput.render(ended ?? accepted.job))
        case .table:
            if ended == nil { context.console.write("Accepted: job \(accepted.job.id). Follow it with: homelab jobs\n") }
        }
        if let ended, ended.outcome != "succeeded" {
            let failure = ended.failure ?? HomelabError(.internal, "the job ended \(ended.state)")
            throw CLIError(controller: HomelabError(failure.code, "\(doing) failed: \(failure.message)", context: failure.context))
        }
    }
}
