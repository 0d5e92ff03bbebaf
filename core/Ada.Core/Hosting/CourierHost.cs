using Microsoft.AspNetCore.Builder;

namespace Ada.Core.Hosting;

/// <summary>The process every courier is: the service defaults, one channel's wiring, health and metrics, run until stopped.</summary>
public static class CourierHost
{
    /// <param name="addChannel">The channel's own wiring, e.g. <c>builder => builder.AddEmailCourier()</c>.</param>
    public static void Run(string[] args, Action<WebApplicationBuilder> addChannel)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        addChannel(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.Run();
    }
}
