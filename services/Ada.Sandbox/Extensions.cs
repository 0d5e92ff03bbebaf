namespace Ada.Sandbox;

public static class Extensions
{
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Inbox>();

        builder.Services.AddOptions<TelegramOptions>()
            .BindConfiguration(TelegramOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<TelegramState>();

        return builder;
    }
}
