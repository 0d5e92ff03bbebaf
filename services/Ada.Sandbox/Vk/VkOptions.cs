using System.ComponentModel.DataAnnotations;

namespace Ada.Sandbox.Vk;

/// <summary>Startup settings of the VK API stand-in; the control API changes the limits and peers at run time.</summary>
public sealed record VkOptions : IValidatableObject
{
    public const string Section = "Sandbox:Vk";

    /// <summary>When set, only this access_token is accepted; otherwise any non-empty one is.</summary>
    public string? Token { get; init; }

    /// <summary>Method calls per sliding second, all methods together (an execute is one call); 0 means unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerSecond { get; init; }

    /// <summary>Comma-separated peer ids that have not allowed the community to message them (error 901).</summary>
    public string? NotAllowedPeers { get; init; }

    /// <summary>Where Callback API events go (message_allow, message_deny, message_new); none are sent when unset.</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>The community the events come from: their group_id.</summary>
    [Range(0, long.MaxValue)]
    public long GroupId { get; init; }

    /// <summary>The "Secret key" of the Callback API settings, echoed in each event's secret field when set.</summary>
    public string? Secret { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IdList.TryParse(NotAllowedPeers, out _))
        {
            yield return new ValidationResult(
                $"{Section}:NotAllowedPeers must be comma-separated integer peer ids, e.g. 42,2000000001; got '{NotAllowedPeers}'.",
                [nameof(NotAllowedPeers)]);
        }

        if (CallbackUrl is null)
        {
            yield break;
        }

        if (!HttpUrls.IsHttp(CallbackUrl))
        {
            yield return new ValidationResult(
                $"{Section}:CallbackUrl must be an absolute http(s) URL, e.g. http://127.0.0.1:8080/callbacks/vk; got '{CallbackUrl}'.",
                [nameof(CallbackUrl)]);
        }

        if (GroupId <= 0)
        {
            yield return new ValidationResult(
                $"{Section}:GroupId must be set to the community id (a positive number) when {Section}:CallbackUrl is set.",
                [nameof(GroupId)]);
        }
    }
}
