using Ada.Core.Hosting;
using Ada.Couriers.Sms;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSmsCourier();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
