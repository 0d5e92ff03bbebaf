using Ada.Core.Hosting;
using Ada.Couriers.Email;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEmailCourier();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
