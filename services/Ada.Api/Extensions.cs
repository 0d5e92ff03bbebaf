using Ada.Api.Auth;
using Ada.Api.Couriers;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Api.Schedules;
using Ada.Api.Sessions;
using Ada.Api.Sms;
using Ada.Api.Vk;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Hosting;
using Ada.Core.Messages;
using Ada.Core.Schedules;
using Ada.Core.Redis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Ada.Api;

public static class Extensions
{
    /// <summary>Picks the bearer handler or the session cookie handler per request.</summary>
    public const string DefaultScheme = "BearerOrSession";

    /// <summary>The API's own services: options, bearer auth and policies, problem details, OpenAPI, the stores.</summary>
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddValidatedOptions<AdaOptions>(AdaOptions.Section);
        services.AddValidatedOptions<SchedulingOptions>(SchedulingOptions.Section);
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Section);
        services.AddValidatedOptions<VkOptions>(VkOptions.Section);
        services.AddValidatedOptions<SmsOptions>(SmsOptions.Section);
        services.AddValidatedOptions<TrackerOptions>(TrackerOptions.Section);
        services.AddValidatedOptions<SchedulesOptions>(SchedulesOptions.Section);
        services.AddValidatedOptions<AttemptOptions>(AttemptOptions.Section);

        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.AddDetail);
        services.AddExceptionHandler<BadRequestBodyHandler>();
        services.AddExceptionHandler<RedisUnavailableHandler>();
        services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityTransformer>());

        services.AddMemoryCache();
        services.AddValidatedOptions<SignInOptions>(SignInOptions.Section);
        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "Bearer token or session cookie",
                options => options.ForwardDefaultSelector = SessionAuthenticationHandler.SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddAdaPolicies();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        services.AddSingleton<SessionStore>();
        services.AddSingleton<DirectoryStore>();
        services.AddSingleton<VkDirectory>();
        services.AddSingleton<LinkCodeStore>();
        services.AddSingleton<AttemptLimiter>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<Credentials>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<CourierRegistry>();
        services.AddSingleton<Scheduler>();
        services.AddSingleton<MessageQueue>();
        services.AddSingleton<TrackerLimits>();
        services.AddSingleton<RefusalTexts>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduleFirer>();
        services.AddHostedService<ScheduleWorker>();
        services.AddHostedService<ChannelWatch>();

        services.AddSingleton<CourierStore>();
        services.AddSingleton<WebhookOnce>();
        services.AddSingleton<SmsWebhook>();
        services.AddSingleton<SmsInbox>();
        services.AddSingleton<SmsReplies>();
        services.AddSingleton<SmsAddressees>();
        services.AddSingleton<ShortIds>();
        services.AddSingleton<SmsConfirmations>();
        services.AddSingleton<UnknownSenders>();
        services.AddSingleton<SmsReplyBudget>();
        services.AddSingleton<SmsReports>();

        return builder;
    }
}
