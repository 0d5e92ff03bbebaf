using Ada.Core.Hosting;
using Ada.Couriers.Vk;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddVkCourier();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
