using Ada.Core.Couriers;
using Ada.Core.Hosting;

namespace Ada.Couriers.Email;

public static class Extensions
{
    public static WebApplicationBuilder AddEmailCourier(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EmailOptions>(EmailOptions.Section);
        builder.Services.AddSingleton<SmtpConnections>();
        builder.Services.AddCourier<EmailSender>();
        return builder;
    }
}
