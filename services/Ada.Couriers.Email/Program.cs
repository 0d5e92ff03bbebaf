using Ada.Core.Hosting;
using Ada.Couriers.Email;

CourierHost.Run(args, builder => builder.AddEmailCourier());

public partial class Program;
