using System.ComponentModel.DataAnnotations;

namespace Ada.Api.Vk;

/// <summary>
/// <c>Vk:*</c> as the API reads it: the Callback API's confirmation string and secret key (secrets: no
/// defaults, never logged), the community it serves, and how long a link code lives. The VK courier reads
/// its own keys (<c>Vk:Token</c>, <c>Vk:BaseUrl</c>, …) from the same section.
/// </summary>
public sealed record VkOptions : IValidatableObject
{
    public const string Section = "Vk";

    /// <summary>The string <c>POST /v1/vk/callback</c> answers to VK's <c>confirmation</c> request.</summary>
    public string? Confirmation { get; init; }

    /// <summary>The "Secret key" set in the community's Callback API settings; VK sends it in every event.</summary>
    public string? Secret { get; init; }

    /// <summary>The community the Callback API serves: events (and confirmation requests) of any other are refused. Required with it.</summary>
    public long? GroupId { get; init; }

    [Range(1, 24 * 30, ErrorMessage = "Vk__LinkCodeHours must be between 1 and 720.")]
    public int LinkCodeHours { get; init; } = 24;

    /// <summary>Without both strings the callback cannot be verified or confirmed, so it refuses everything.</summary>
    public bool CallbackConfigured => !string.IsNullOrEmpty(Secret) && !string.IsNullOrEmpty(Confirmation);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GroupId is <= 0)
        {
            yield return new ValidationResult(
                $"Vk__GroupId must be the community's positive id, e.g. 229876543 (got {GroupId}).", [nameof(GroupId)]);
        }
        else if (GroupId is null && (!string.IsNullOrEmpty(Secret) || !string.IsNullOrEmpty(Confirmation)))
        {
            // Without it, anyone who learns the confirmation flow could point another community's callbacks here.
            yield return new ValidationResult(
                "Vk__GroupId is required with the Callback API (Vk__Secret, Vk__Confirmation): the community's id, e.g. 229876543.",
                [nameof(GroupId)]);
        }
    }
}
