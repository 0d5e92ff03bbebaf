using Ada.Core.Hosting;
using Ada.Couriers.Sms;

CourierHost.Run(args, builder => builder.AddSmsCourier());

public partial class Program;
