using Ada.Core.Couriers;

namespace Ada.Couriers.Email;

public static class Extensions
{
    public static WebApplicationBuilder AddEmailCourier(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SmtpConnections>();
        builder.Services.AddCourier<EmailSender>();
        return builder;
    }
}
