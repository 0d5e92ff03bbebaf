using Ada.Core.Hosting;
using Ada.Couriers.Telegram;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTelegramCourier();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
