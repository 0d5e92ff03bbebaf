using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Api.Schedules;
using Ada.Api.Sms;
using Ada.Api.Vk;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Ada.Core.Schedules;
using Microsoft.AspNetCore.Authorization;

namespace Ada.Api;

public static class Extensions
{
    /// <summary>The API's own services: options, bearer auth and policies, problem details, OpenAPI, the stores.</summary>
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<AdaOptions>().BindConfiguration(AdaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<VkOptions>().BindConfiguration(VkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SchedulesOptions>().BindConfiguration(SchedulesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AttemptOptions>().BindConfiguration(AttemptOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.AddDetail);
        services.AddExceptionHandler<BadRequestBodyHandler>();
        services.AddExceptionHandler<RedisUnavailableHandler>();
        services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityTransformer>());

        services.AddMemoryCache();
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthenticationHandler>(
                BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddAdaPolicies();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

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
        services.AddSingleton<RefusalTexts>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduleFirer>();
        services.AddHostedService<ScheduleWorker>();

        services.AddSingleton<CourierStore>();
        services.AddSingleton<WebhookOnce>();
        services.AddSingleton<SmsWebhook>();
        services.AddSingleton<SmsInbox>();
        services.AddSingleton<SmsReplies>();
        services.AddSingleton<SmsAddressees>();
        services.AddSingleton<ShortIds>();
        services.AddSingleton<UnknownSenders>();
        services.AddSingleton<SmsReplyBudget>();
        services.AddSingleton<SmsReports>();

        return builder;
    }
}
