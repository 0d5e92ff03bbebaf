using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ada.Api.Http;

/// <summary>Tells OpenAPI readers that calls take <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Ada API";
        document.Info.Description = "Mass notifications over Telegram, VK and SMS. Every call but /health and /metrics needs a bearer token.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin token (Ada__AdminToken) or one issued by POST /v1/tokens.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
        return Task.CompletedTask;
    }
}
