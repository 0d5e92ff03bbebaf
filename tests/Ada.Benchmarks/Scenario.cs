namespace Ada.Benchmarks;

public interface IScenario
{
    string Name { get; }

    /// <summary>Runs on a fresh stack of its own; <paramref name="quick"/> scales it down for a smoke test.</summary>
    Task<ScenarioResult> RunAsync(bool quick, CancellationToken cancel);
}

/// <summary>One table row plus everything measured (the JSON).</summary>
public sealed record ScenarioResult(string Name, string Result, string Aim, bool? Met, JsonObject Details)
{
    /// <summary>Where the time went (CPU per process, Redis's busiest commands), printed under a missed aim.</summary>
    public string? Evidence { get; init; }
    public double Seconds { get; init; }
    public string? Error { get; init; }
}
